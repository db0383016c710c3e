// Package contactimport reads a contact file as a stream and yields
// validated rows and rejections. It writes nothing anywhere: the caller
// decides what to do with each row (preview it, or upsert it by email).
//
// # Formats
//
// CSV (RFC 4180, comma by default, another separator as an option) with a
// header line naming the columns, or NDJSON: one JSON object per line with the
// same field names as keys. Text is UTF-8, with or without a byte-order mark.
// Latin-1 (ISO 8859-1) is read only when the caller chooses it; a file that
// starts with a UTF-8 byte-order mark is read as UTF-8 even then.
//
// # Columns
//
//	| column              | meaning                                              |
//	| ------------------- | ---------------------------------------------------- |
//	| email               | required; trimmed and lower-cased                    |
//	| first_name          | optional, kept as written                            |
//	| last_name           | optional, kept as written                            |
//	| role                | optional, kept as written                            |
//	| phone               | optional, kept as written                            |
//	| crm_id              | optional, kept as written                            |
//	| company             | optional, kept as written                            |
//	| attr.NAME           | a custom attribute; at most 50 non-empty per contact |
//	| tracking_consent    | accepted, refused or empty; also true/false, 1/0,    |
//	|                     | yes/no, in any case; unanswered (as exports write    |
//	|                     | it) is empty, its date ignored                       |
//	| tracking_consent_at | the consent's date: RFC 3339 (2024-05-01T09:30:00Z)  |
//	|                     | or YYYY-MM-DD, read as midnight UTC                  |
//
// Column names are at most 256 bytes, matched without regard to case or
// surrounding spaces.
// hasTrackingConsent and dtTrackingConsent are read as tracking_consent and
// tracking_consent_at. An attribute NAME is 1 to 64 letters, digits, "_" or
// "-", starting with a letter or digit, and is lower-cased. Every value is at
// most 4 KiB. Values are kept as data, including those a spreadsheet would
// evaluate as a formula (starting with =, +, -, @, a tab or a carriage
// return): this is an import, not an export. Only email, tracking_consent and
// tracking_consent_at are trimmed.
//
// A column with an empty name is ignored; a row with a value in it is
// rejected. Any other column name is unknown: Options.Mapping maps it to a
// field or to "" (ignore it). In a preview (Options.Preview) unknown columns
// are listed in the Summary and ignored; in an import, Read refuses the file
// before reading any row, naming them (UnknownColumnsError). In NDJSON, where
// keys are only seen line by line, a line with an unknown key is rejected in
// an import and the key is listed in a preview.
//
// # Rows and rejections
//
// Each data record becomes either a Row or a Rejection, both carrying the
// line of the file where the record starts. A record is rejected, in plain
// words, for: a missing or invalid email, an unknown consent value, an
// unparseable date, a date without a consent status, a value over 4 KiB, text
// that is not valid UTF-8, broken quoting, more or fewer fields than the
// header, more than 50 attributes, and in NDJSON a line that is not a JSON
// object or a value that is an object or an array (numbers, booleans and null
// are read as their text and as empty). A rejection never stops the rest of
// the file. An unreadable or invalid header, or an I/O error, stops Read with
// an error. Blank lines are skipped.
//
// A CSV file whose header is not valid UTF-8 is refused with an error that
// suggests the Latin-1 option; a data row that is not valid UTF-8 is rejected
// alone, since one bad row in a large UTF-8 file is more likely than a file
// in another encoding with a pure ASCII header.
//
// # Duplicate emails
//
// One email yields at most one contact. The consumer upserts rows by email in
// the order they are emitted. When a later row has the same email as an
// earlier one:
//
//   - if it has no consent status, it is rejected as a duplicate;
//   - if the earlier row had no status, the later row is emitted and replaces it;
//   - if both are dated, the later-dated consent wins: a newer later row is
//     emitted and replaces the earlier, an older one is rejected;
//   - otherwise (dates equal or missing) the same status is a duplicate,
//     rejected, and a different status is a conflict: the later row is
//     rejected with a reason naming the earlier line, which stands.
//
// To keep memory bounded, Read remembers for each email only a 16-byte hash
// (SHA-256, truncated) and 16 bytes of line, consent date and status: a
// 32-byte map slot, 40 to 80 bytes per distinct email with the table's spare
// room (59 measured at 180,000 emails), so about 60 MB for a million. Rows
// themselves are not kept. A CSV record is held whole while it is read, so a
// single huge cell costs its size once; an NDJSON line over 1 MiB is skipped
// without being held.
package contactimport
