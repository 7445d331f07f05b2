module example.com/noexec

go 1.21
