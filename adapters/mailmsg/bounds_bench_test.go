package mailmsg

import (
	"bytes"
	"testing"
)

func benchParse(b *testing.B, msg []byte) {
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBody20MB(b *testing.B)         { benchParse(b, bigBodyMessage(20<<20)) }
func BenchmarkParseLatin1QP20MB(b *testing.B)     { benchParse(b, bigLatin1Message(20<<20)) }
func BenchmarkParseNested1000(b *testing.B)       { benchParse(b, nestedMessage(1000)) }
func BenchmarkParseParts100000(b *testing.B)      { benchParse(b, manyPartsMessage(100_000)) }
func BenchmarkParseHeaderLine10MB(b *testing.B)   { benchParse(b, longHeaderMessage(10<<20)) }
func BenchmarkParseEncodedWords64KB(b *testing.B) { benchParse(b, encodedWordAbuseMessage(64<<10)) }
func BenchmarkParseEncodedWords1MB(b *testing.B)  { benchParse(b, encodedWordAbuseMessage(1000<<10)) }
