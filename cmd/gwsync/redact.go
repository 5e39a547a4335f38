package main

import (
	"regexp"

	"github.com/gwsync/gwsync/engine"
)

// userinfoRE finds the userinfo of a URL inside free text
// ("scheme://user:password@host").
var userinfoRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@`)

// redactURLs replaces the userinfo of every URL in s by "xxxxx". Config
// refuses passwords in URLs, but an error text can still carry one (a
// server's redirect, a DSN), and what a plan prints ends up in tickets.
func redactURLs(s string) string {
	return userinfoRE.ReplaceAllString(s, "${1}xxxxx@")
}

// redactPlan is a copy of p whose error texts carry no URL credentials;
// both the table and the JSON print it.
func redactPlan(p *engine.Plan) *engine.Plan {
	c := *p
	c.Sources = make([]engine.SourceReport, len(p.Sources))
	for i, sr := range p.Sources {
		sr.Error = redactURLs(sr.Error)
		c.Sources[i] = sr
	}
	c.Problems = make([]engine.Problem, len(p.Problems))
	for i, pr := range p.Problems {
		pr.Reason = redactURLs(pr.Reason)
		c.Problems[i] = pr
	}
	c.Actions = make([]*engine.Action, len(p.Actions))
	for i, a := range p.Actions {
		ac := *a
		ac.Reason = redactURLs(a.Reason)
		c.Actions[i] = &ac
	}
	return &c
}
