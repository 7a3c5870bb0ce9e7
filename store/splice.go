package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"time"
)

// A minutes mail goes to everyone on a project's roster, and most of its
// bytes are the same in every copy: the meeting, its decisions, every item
// and risk, in text and in HTML. Kept whole, each copy went through
// SQLite's WAL and again through its checkpoint (the largest single cost
// of handling busy minutes), and 10,000 minutes to sixteen people made
// 1.5 GB of outbox. So the outbox keeps a stretch of body that recurs in
// one transaction's mails once, in outbox_blobs under its SHA-256, and a
// mail's row keeps its own bytes and where each shared stretch goes
// (splices).
//
// The stretches are found without knowing the templates, which an
// administrator may override: the body is cut into runs of whole lines,
// a run ending after a line whose checksum has its low bits zero
// (content-defined chunking, as backup tools find the blocks two files
// share), so two mails that share a stretch of lines are cut alike inside
// it wherever it starts in each. MIME boundary lines, random in each mail,
// are always cut out on both sides. The first time a transaction sees a
// run it stays in its mail; the second time it is stored once and both
// later mails refer to it. A mail read back is, byte for byte, the mail
// queued: the outbox resends the same bytes.
const (
	// cutMask: a run ends after a line whose checksum has these bits
	// zero, one line in four; a quoted-printable line is ~76 bytes, so a
	// run is ~300 bytes on average. A run with a line of the reader's own
	// is the reader's own whole, so shorter runs share more (a minutes
	// copy kept 2.3–5.2 KB of its 11.4 KB with one line in eight, 1.8–3.0
	// KB with one in four), at the price of a reference each.
	cutMask = 3
	// minShared is the shortest run worth a reference (34 bytes in the
	// row, and a lookup to read it back).
	minShared = 160
	// maxRun ends a run that meets no cut line (base64 of an attachment
	// whose lines all miss), so no run is unbounded.
	maxRun = 16 << 10
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// eachRun calls fn with the start and end of each run of body worth
// sharing (at least minShared bytes), in order.
func eachRun(body []byte, fn func(start, end int)) {
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
			if i-start >= minShared {
				fn(start, i)
			}
			start = end
		case crc32.Checksum(line, castagnoli)&cutMask == 0 || end-start >= maxRun || end == len(body):
			if end-start >= minShared {
				fn(start, end)
			}
			start = end
		}
		i = end
	}
}

// blobs is what a transaction knows of the runs its mails had: the hash
// of each run seen, and the runs it stores once (written at its commit,
// with the other pending rows).
type blobs struct {
	// seen is, for each run's hash, -1 when one mail has it (and keeps it
	// in its own bytes), else 1 + its index in pending.
	seen    map[[sha256.Size]byte]int
	pending []pendingBlob
}

type pendingBlob struct {
	hash     [sha256.Size]byte
	data     []byte
	lastUsed time.Time
}

// share returns raw as the outbox row keeps it: the bytes the mail does
// not share with others this transaction queued, and its splices (nil
// when it shares nothing, and own is raw).
func (tx *Tx) share(raw []byte, at time.Time) (own, splices []byte) {
	if tx.blobs.seen == nil {
		tx.blobs.seen = map[[sha256.Size]byte]int{}
	}
	body := len(HeaderBlock(raw)) // the header is the mail's own
	copied, last := 0, 0          // raw up to copied is in own; the last splice's offset
	eachRun(raw[body:], func(start, end int) {
		run := raw[body+start : body+end]
		h := sha256.Sum256(run)
		switch i := tx.blobs.seen[h]; i {
		case 0:
			tx.blobs.seen[h] = -1
			return
		case -1:
			tx.blobs.pending = append(tx.blobs.pending, pendingBlob{hash: h, data: bytes.Clone(run), lastUsed: at})
			tx.blobs.seen[h] = len(tx.blobs.pending)
		default:
			if p := &tx.blobs.pending[i-1]; at.After(p.lastUsed) {
				p.lastUsed = at
			}
		}
		if own == nil {
			own = make([]byte, 0, body+1024)
		}
		own = append(own, raw[copied:body+start]...)
		splices = binary.AppendUvarint(splices, uint64(len(own)-last))
		splices = append(splices, h[:]...)
		last, copied = len(own), body+end
	})
	if splices == nil {
		return raw, nil
	}
	return append(own, raw[copied:]...), splices
}

// forgetBlobsSince forgets the runs stored since pending had n entries,
// when a savepoint set then is rolled back: the mails that referred to
// them are gone, and a later mail with such a run keeps it itself (and
// stores it, when another has it too).
func (tx *Tx) forgetBlobsSince(n int) {
	for _, p := range tx.blobs.pending[n:] {
		tx.blobs.seen[p.hash] = -1
	}
	tx.blobs.pending = tx.blobs.pending[:n]
}

// writeBlobs writes the runs this transaction stores once, a chunk of rows
// a statement, in the order of their hashes: two PostgreSQL transactions
// storing the same runs then lock them in the same order. A run another
// transaction stored already is kept, its last use moved on.
func (tx *Tx) writeBlobs() error {
	if len(tx.blobs.pending) == 0 {
		return nil
	}
	ps := tx.blobs.pending
	slices.SortFunc(ps, func(a, b pendingBlob) int { return bytes.Compare(a.hash[:], b.hash[:]) })
	rows := make([][]any, len(ps))
	for i, p := range ps {
		rows[i] = []any{p.hash[:], p.data, utc(p.lastUsed)}
	}
	if err := tx.insertRowsThen(`INSERT INTO outbox_blobs (hash, data, last_used) VALUES`, 3, rows,
		` ON CONFLICT (hash) DO UPDATE SET last_used = excluded.last_used WHERE outbox_blobs.last_used < excluded.last_used`); err != nil {
		return fmt.Errorf("store the mails' shared parts: %w", err)
	}
	tx.blobs = blobs{}
	return nil
}

// assemble puts a mail's bytes back together from its own bytes and its
// splices, reading each shared run with blob.
func assemble(own, splices []byte, blob func(hash []byte) ([]byte, error)) ([]byte, error) {
	type splice struct {
		at   int
		hash []byte
	}
	var ss []splice
	at := 0
	for rest := splices; len(rest) > 0; {
		d, n := binary.Uvarint(rest)
		if n <= 0 || len(rest) < n+sha256.Size || d > uint64(len(own)-at) {
			return nil, errBadSplices
		}
		at += int(d)
		ss = append(ss, splice{at, rest[n : n+sha256.Size]})
		rest = rest[n+sha256.Size:]
	}
	parts := make([][]byte, len(ss))
	size := len(own)
	for i, s := range ss {
		b, err := blob(s.hash)
		if err != nil {
			return nil, err
		}
		parts[i] = b
		size += len(b)
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

// spliceHashes returns the hashes a row's splices refer to.
func spliceHashes(splices []byte) ([][sha256.Size]byte, error) {
	var hs [][sha256.Size]byte
	for rest := splices; len(rest) > 0; {
		_, n := binary.Uvarint(rest)
		if n <= 0 || len(rest) < n+sha256.Size {
			return nil, errBadSplices
		}
		hs = append(hs, [sha256.Size]byte(rest[n:n+sha256.Size]))
		rest = rest[n+sha256.Size:]
	}
	return hs, nil
}
