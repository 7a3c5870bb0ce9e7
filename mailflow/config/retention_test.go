package config

import (
	"strings"
	"testing"
	"time"
)

// TestKeepSentBodyDays: smtp.keep_sent_body_days is 30 in the example and
// when left out (the zero SMTP of a test answers the same), takes 1 to
// 3650, and a value outside that names the key.
func TestKeepSentBodyDays(t *testing.T) {
	text, _ := example(t)
	const key = "keep_sent_body_days = 30"
	tests := []struct {
		config  string
		want    time.Duration
		wantErr bool
	}{
		{config: text, want: 30 * oneDay},
		{config: regexpRemove(text, `(?m)^keep_sent_body_days = .*$`), want: 30 * oneDay},
		{config: mustReplace(t, text, key, "keep_sent_body_days = 1"), want: oneDay},
		{config: mustReplace(t, text, key, "keep_sent_body_days = 3650"), want: 3650 * oneDay},
		{config: mustReplace(t, text, key, "keep_sent_body_days = 3651"), wantErr: true},
		{config: mustReplace(t, text, key, "keep_sent_body_days = -1"), wantErr: true},
	}
	for _, tc := range tests {
		c, err := load(t, tc.config)
		line := "keep_sent_body_days left out"
		if i := strings.Index(tc.config, "keep_sent_body_days"); i >= 0 {
			line, _, _ = strings.Cut(tc.config[i:], "\n")
		}
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "smtp.keep_sent_body_days") {
				t.Errorf("%s: error %v, want one naming smtp.keep_sent_body_days", line, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if got := c.SMTP.SentBodyRetention(); got != tc.want {
			t.Errorf("%s: SentBodyRetention() = %s, want %s", line, got, tc.want)
		}
	}
	if got := (SMTP{}).SentBodyRetention(); got != 30*oneDay {
		t.Errorf("SMTP{}.SentBodyRetention() = %s, want the default %s", got, 30*oneDay)
	}
}
