module github.com/gwsync/gwsync/tools

go 1.26
