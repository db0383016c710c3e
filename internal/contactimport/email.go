package contactimport

import "strings"

// validEmail is a minimal check that rejects what can never be an address:
// one "@", a local part of 1 to 64 bytes, a domain with a dot and no empty
// label, no spaces or control characters, 254 bytes at most. The store
// normalises and checks every address again when it saves a contact; this
// check only keeps obvious garbage out of the preview and the summary.
func validEmail(e string) bool {
	if len(e) > 254 {
		return false
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(local) > 64 || domain == "" || strings.Contains(domain, "@") {
		return false
	}
	for i := 0; i < len(e); i++ {
		if c := e[i]; c <= ' ' || c == 0x7f || c == '"' || c == ',' || c == '<' || c == '>' {
			return false
		}
	}
	if !strings.Contains(domain, ".") {
		return false
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	return true
}
