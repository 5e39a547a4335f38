package main

import (
	"net/url"
	"strconv"
	"strings"
)

// workerPoolSpare is how many state connections a worker keeps beyond
// one per concurrent run: River's producer, completer and leader, and a
// running job's heartbeat.
const workerPoolSpare = 4

// withWorkerPool returns a PostgreSQL state DSN whose pool fits a worker
// running concurrency syncs at once: pool_max_conns = concurrency +
// workerPoolSpare, unless the DSN sets pool_max_conns itself. pgx's
// default (the larger of 4 and the number of CPUs) makes runs queue for a
// connection on a small machine, each of them holding one across a
// durable commit. Any other DSN (a SQLite state) is returned as it is.
func withWorkerPool(dsn string, concurrency int) string {
	if !isPostgresDSN(dsn) || strings.Contains(dsn, "pool_max_conns") || concurrency <= 0 {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // stores.Open reports it
	}
	q := u.Query()
	q.Set("pool_max_conns", strconv.Itoa(concurrency+workerPoolSpare))
	u.RawQuery = q.Encode()
	return u.String()
}
