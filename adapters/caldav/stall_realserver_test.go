package caldav

import "testing"

// The stalled-server case against the real servers: Radicale and
// Xandikos behind a staller, and the next run resumes against them.
func TestRadicaleStall(t *testing.T) { realServerStall(t, radicale(t)) }
func TestXandikosStall(t *testing.T) { realServerStall(t, xandikos(t)) }

func realServerStall(t *testing.T, sv server) {
	for name, m := range map[string]int32{"silent": silent, "half answer": halfAnswer} {
		t.Run(name, func(t *testing.T) {
			cal := sv.newCollection(t, "VEVENT")
			sv.put(t, cal+"first.ics", []byte(newEvent("first@gwsync.test")))
			o := sv.options(map[string]any{"calendars": []string{cal}, "task_lists": []string{}})
			stallAndResume(t, sv.url, m, o, func(uid string) { sv.put(t, cal+uid+".ics", []byte(newEvent(uid))) })
		})
	}
}
