package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"math"
	"time"
)

// A minutes mail goes to everyone on a project's roster, and most of its
// bytes are the same in every copy: the meeting, its decisions, every item
// and risk, in text and in HTML. Kept whole, each copy went through
// SQLite's WAL and again through its checkpoint (the largest single cost
// of handling busy minutes), and 10,000 minutes to sixteen people made
// 1.5 GB of outbox. So a transaction keeps the runs of body its mails
// share once, in a blob (a row of outbox_blobs), and a mail's row keeps
// its own bytes and its splices: where in them which stretch of which
// blob goes back in.
//
// The runs are found without knowing the templates, which an
// administrator may override: the body is cut into runs of whole lines,
// a run ending after a line whose checksum has its low bits zero
// (content-defined chunking, as backup tools find the blocks two files
// share), so two mails that share a stretch of lines are cut alike inside
// it wherever it starts in each. MIME boundary lines, random in each mail,
// are always cut out on both sides. The first time a transaction sees a
// run it stays in its mail; the second time it goes into the
// transaction's blob, and that mail and every later one with the run
// refer to it. A mail read back is, byte for byte, the mail queued: the
// outbox resends the same bytes.
//
// Runs are shared within a transaction only, which is where the copies of
// one minutes are queued: blobs are then written in the order of their
// ids, one row per transaction and not one per run (a table keyed by the
// runs' hashes took a random page of its index per run, and cost more
// than it saved), no blob is ever changed after its transaction, and a
// blob can go once the mails of its transaction are pruned.
const (
	// cutMask: a run ends after a line whose checksum has these bits
	// zero, one line in four; a quoted-printable line is ~76 bytes, so a
	// run is ~300 bytes on average. A run with a line of the reader's own
	// is the reader's own whole, so shorter runs share more (a minutes
	// copy kept 2.3–5.2 KB of its 11.4 KB with one line in eight, 1.8–3.0
	// KB with one in four), at the price of a splice each.
	cutMask = 3
	// minShared is the shortest run worth a splice.
	minShared = 160
	// maxRun ends a run that meets no cut line (base64 of an attachment
	// whose lines all miss), so no run is unbounded.
	maxRun = 16 << 10
	// blobSize: a transaction's blob holds up to this many bytes of runs;
	// it starts another past that, so reading a mail back reads a
	// bounded blob.
	blobSize = 256 << 10
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// shareRuns is true but in BenchmarkEnqueueMinutes's runs that queue
// every mail whole, to compare.
var shareRuns = true

// eachRun calls fn with the start and end of each run of body worth
// sharing (at least minShared bytes), in order, until fn returns false.
func eachRun(body []byte, fn func(start, end int) bool) {
	start := 0
	for i := 0; i < len(body); {
		end := len(body)
		if n := bytes.IndexByte(body[i:], '\n'); n >= 0 {
			end = i + n + 1
		}
		line := body[i:end]
		switch {
		case bytes.HasPrefix(line, []byte("--")):
			// A MIME boundary (or a line that looks like one): never
			// part of a run.
			if i-start >= minShared && !fn(start, i) {
				return
			}
			start = end
		case crc32.Checksum(line, castagnoli)&cutMask == 0 || end-start >= maxRun || end == len(body):
			if end-start >= minShared && !fn(start, end) {
				return
			}
			start = end
		}
		i = end
	}
}

// blobs is what a transaction knows of the runs its mails had.
type blobs struct {
	seed maphash.Seed
	// seen holds each run seen, by its hash and length, and where in the
	// blobs it was stored once a second mail had it. A run is referred to
	// only when its bytes are those stored, so two runs of one hash only
	// share less; and the run stored is always that of the mail that
	// refers to it. (The first mail's copy is not kept: it is in that
	// mail's own bytes, and copying every run once cost more than all the
	// rest.)
	seen map[runKey]seenRun
	// stored are the transaction's blobs, each a row inserted empty when
	// its first run came and filled at the commit (writeBlobs).
	stored []blob
}

type runKey struct {
	hash uint64
	n    int
}

type blob struct {
	id   int64
	data []byte
	at   time.Time // the newest mail that uses it
}

// seenRun is where a run's bytes are in stored[blob], or blob is -1 when
// only one mail had it.
type seenRun struct{ blob, off int }

// blobMark is what a savepoint restores of blobs.
type blobMark struct{ stored, lastLen int }

func (b *blobs) mark() blobMark {
	m := blobMark{stored: len(b.stored)}
	if m.stored > 0 {
		m.lastLen = len(b.stored[m.stored-1].data)
	}
	return m
}

// share returns raw as the outbox row keeps it: the bytes the mail does
// not share with others this transaction queued, and its splices (nil
// when it shares nothing, and own is raw).
func (tx *Tx) share(raw []byte, at time.Time) (own, splices []byte, err error) {
	if !shareRuns {
		return raw, nil, nil
	}
	// A blob's created_at must be no older, by the wall clock, than any
	// mail that uses it (DropUnusedBlobs relies on it), and time.Time
	// compares by the monotonic clock when both have one: after the system
	// clock steps back, a later mail's time is "after" by one and before by
	// the other.
	at = at.Round(0)
	b := &tx.blobs
	if b.seen == nil {
		b.seen, b.seed = map[runKey]seenRun{}, maphash.MakeSeed()
	}
	body := len(HeaderBlock(raw)) // the header is the mail's own
	copied, last := 0, 0          // raw up to copied is in own; the last splice's offset
	eachRun(raw[body:], func(start, end int) bool {
		run := raw[body+start : body+end]
		k := runKey{maphash.Bytes(b.seed, run), len(run)}
		s, ok := b.seen[k]
		switch {
		case !ok:
			b.seen[k] = seenRun{blob: -1}
			return true
		case s.blob < 0:
			i, e := tx.blobFor(len(run), at)
			if e != nil {
				err = e
				return false
			}
			s = seenRun{blob: i, off: len(b.stored[i].data)}
			b.stored[i].data = append(b.stored[i].data, run...)
			b.seen[k] = s
		case !bytes.Equal(b.stored[s.blob].data[s.off:s.off+len(run)], run):
			return true // another run of the same hash: this one stays in its mail
		}
		st := &b.stored[s.blob]
		if at.After(st.at) {
			st.at = at
		}
		if own == nil {
			own = make([]byte, 0, body+len(raw)/4+1024)
		}
		own = append(own, raw[copied:body+start]...)
		splices = binary.AppendUvarint(splices, uint64(len(own)-last))
		splices = binary.AppendUvarint(splices, uint64(st.id))
		splices = binary.AppendUvarint(splices, uint64(s.off))
		splices = binary.AppendUvarint(splices, uint64(len(run)))
		last, copied = len(own), body+end
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	if splices == nil {
		return raw, nil, nil
	}
	return append(own, raw[copied:]...), splices, nil
}

// blobFor returns the index of the blob a run of n bytes goes in,
// inserting a new one when the last is full or there is none.
func (tx *Tx) blobFor(n int, at time.Time) (int, error) {
	b := &tx.blobs
	if k := len(b.stored); k > 0 && len(b.stored[k-1].data)+n <= blobSize {
		return k - 1, nil
	}
	id, err := tx.insert(`INSERT INTO outbox_blobs (data, created_at) VALUES (?, ?)`, []byte{}, utc(at))
	if err != nil {
		return 0, fmt.Errorf("store a part mails share: %w", err)
	}
	b.stored = append(b.stored, blob{id: id, data: make([]byte, 0, 32<<10), at: at})
	return len(b.stored) - 1, nil
}

// forgetBlobsSince forgets the runs stored or seen since the mark, when a
// savepoint set then is rolled back: the mails that had them are gone, and
// so are the blobs inserted since (the database rolled them back).
func (tx *Tx) forgetBlobsSince(m blobMark) {
	b := &tx.blobs
	b.stored = b.stored[:m.stored]
	if m.stored > 0 {
		b.stored[m.stored-1].data = b.stored[m.stored-1].data[:m.lastLen]
	}
	for k, s := range b.seen {
		if s.blob >= m.stored || s.blob == m.stored-1 && s.off >= m.lastLen {
			delete(b.seen, k)
		}
	}
}

// writeBlobs fills the blobs this transaction inserted with their runs.
func (tx *Tx) writeBlobs() error {
	for _, st := range tx.blobs.stored {
		if _, err := tx.exec(`UPDATE outbox_blobs SET data = ?, created_at = ? WHERE id = ?`, st.data, utc(st.at), st.id); err != nil {
			return fmt.Errorf("store the parts mails share: %w", err)
		}
	}
	tx.blobs = blobs{}
	return nil
}

// splice is a stretch of a blob that goes back into a mail's own bytes at
// at.
type splice struct {
	at           int
	blob         int64
	offset, size int
}

// parseSplices reads a row's splices, checking that each goes into own.
func parseSplices(splices []byte, ownSize int) ([]splice, error) {
	var ss []splice
	at := 0
	for rest := splices; len(rest) > 0; {
		var v [4]uint64
		for i := range v {
			x, n := binary.Uvarint(rest)
			if n <= 0 {
				return nil, errBadSplices
			}
			v[i], rest = x, rest[n:]
		}
		if v[0] > uint64(ownSize-at) || v[1] > math.MaxInt64 || v[2] > maxBlob || v[3] > maxBlob {
			return nil, errBadSplices
		}
		at += int(v[0])
		ss = append(ss, splice{at: at, blob: int64(v[1]), offset: int(v[2]), size: int(v[3])})
	}
	return ss, nil
}

// maxBlob bounds what parseSplices takes for an offset or size in a blob.
const maxBlob = 1 << 30

// assemble puts a mail's bytes back together from its own bytes and its
// splices, reading each blob with blobData.
func assemble(own, splices []byte, blobData func(id int64) ([]byte, error)) ([]byte, error) {
	ss, err := parseSplices(splices, len(own))
	if err != nil {
		return nil, err
	}
	parts := make([][]byte, len(ss))
	size := len(own)
	for i, s := range ss {
		d, err := blobData(s.blob)
		if err != nil {
			return nil, err
		}
		if s.offset+s.size > len(d) {
			return nil, errBadSplices
		}
		parts[i] = d[s.offset : s.offset+s.size]
		size += s.size
	}
	out := make([]byte, 0, size)
	from := 0
	for i, s := range ss {
		out = append(append(out, own[from:s.at]...), parts[i]...)
		from = s.at
	}
	return append(out, own[from:]...), nil
}

var errBadSplices = errors.New("its splices are damaged")
