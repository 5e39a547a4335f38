// Command restcrm-refserver runs the reference REST CRM of the restcrm
// example in memory, for trying the example sink by hand:
//
//	restcrm-refserver -addr 127.0.0.1:8089 -token secret
//
// Everything is lost when it stops.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/gwsync/gwsync/examples/plugins/restcrm/refserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "address to listen on")
	token := flag.String("token", "", "bearer token every request must carry (empty: none)")
	flag.Parse()
	srv := &http.Server{Addr: *addr, Handler: refserver.New(*token), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("restcrm reference CRM on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}
