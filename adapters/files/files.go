// Package files is a groupware source that reads a folder of .ics files (a
// vdir, as vdirsyncer and Thunderbird write) and a maildir or folder of
// .eml files. It writes time changes back into the .ics files and exports
// CRM activities as new .ics files. It is the adapter of the quickstart and
// the simplest real source to test the engine against.
package files

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/icalendar"
)

func init() {
	adapters.Register(adapters.Registration{
		Name:        "files",
		Description: "a folder of .ics files and a maildir or folder of .eml files",
		Options: []adapters.Option{
			{Name: "calendar_dir", Type: adapters.TypeString, Help: "a vdir: a folder of .ics files"},
			{Name: "mail_dir", Type: adapters.TypeString, Help: "a maildir or a folder of .eml files"},
			{Name: "export_dir", Type: adapters.TypeString, Help: "where exported activities are written; default calendar_dir"},
		},
		Kinds: adapters.Kinds,
		NewSource: func(c adapters.Config) (adapters.Source, error) {
			s, err := New(c)
			if err != nil {
				return nil, err // not a typed nil inside the interface
			}
			return s, nil
		},
	})
}

// Options of the files adapter. Relative paths are used as given (the
// config loader makes them absolute).
type Options struct {
	// CalendarDir is a vdir: a folder of .ics files, each holding one
	// event or task, or a recurring master with its overrides.
	CalendarDir string `json:"calendar_dir"`
	// MailDir is a maildir (with cur/ and new/) or a flat folder of .eml
	// files.
	MailDir string `json:"mail_dir"`
	// ExportDir is where exported activities are written; default
	// CalendarDir, so that exports show up in the next snapshot.
	ExportDir string `json:"export_dir"`
}

// Source reads and writes the files. Build it with New.
type Source struct {
	opts     Options
	floating *time.Location // the user's zone, for floating times
	mu       sync.Mutex     // serialises writes (PutTimes, Export)
}

// New checks the options and builds the source without touching the disk.
// Errors: InvalidConfig for an unknown option, neither calendar_dir nor
// mail_dir set, or a time zone that cannot be resolved.
func New(c adapters.Config) (*Source, error) {
	var o Options
	if err := adapters.DecodeOptions(c.Options, &o); err != nil {
		return nil, err
	}
	if o.CalendarDir == "" && o.MailDir == "" {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "files: set calendar_dir or mail_dir (or both)")
	}
	if o.ExportDir == "" {
		o.ExportDir = o.CalendarDir
	}
	floating := time.UTC
	if c.TimeZone != "" {
		loc, ok := icalendar.ResolveTZID(c.TimeZone)
		if !ok {
			return nil, adapters.Errorf(adapters.CodeInvalidConfig, "files: unknown time zone %q", c.TimeZone)
		}
		floating = loc
	}
	return &Source{opts: o, floating: floating}, nil
}

// Info reports the kinds the configured folders hold. Errors: InvalidConfig
// when a configured folder does not exist or is not a folder.
func (s *Source) Info(ctx context.Context) (adapters.Info, error) {
	var kinds []adapters.Kind
	if s.opts.MailDir != "" {
		if err := checkDir("mail_dir", s.opts.MailDir); err != nil {
			return adapters.Info{}, err
		}
		kinds = append(kinds, adapters.KindMessage)
	}
	if s.opts.CalendarDir != "" {
		if err := checkDir("calendar_dir", s.opts.CalendarDir); err != nil {
			return adapters.Info{}, err
		}
		kinds = append(kinds, adapters.KindTask, adapters.KindEvent)
	}
	return adapters.Info{Name: "files", Kinds: kinds, Capabilities: adapters.CapabilitiesOf(s, true)}, nil
}

// checkDir reports an InvalidConfig error naming the option when dir is not
// an existing folder.
func checkDir(option, dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return adapters.Wrap(adapters.CodeInvalidConfig, err, "files: "+option)
	}
	if !fi.IsDir() {
		return adapters.Errorf(adapters.CodeInvalidConfig, "files: %s: %s is not a folder", option, dir)
	}
	return nil
}

// Close does nothing: no file stays open between calls.
func (s *Source) Close() error { return nil }

var (
	_ adapters.Source     = (*Source)(nil)
	_ adapters.TimeWriter = (*Source)(nil)
	_ adapters.Exporter   = (*Source)(nil)
)
