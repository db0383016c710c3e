package hubspottest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, s *Server, path, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestWrongTokenAnswersHubSpotsError(t *testing.T) {
	t.Parallel()
	s := New(t, "good")
	status, body := get(t, s, "/crm/v3/objects/contacts", "bad")
	if status != http.StatusUnauthorized || body["status"] != "error" || body["category"] != "INVALID_AUTHENTICATION" || body["message"] == "" {
		t.Errorf("got %d %v", status, body)
	}
	if s.Requests() != 1 {
		t.Errorf("%d requests", s.Requests())
	}
}

func TestListShape(t *testing.T) {
	t.Parallel()
	s := New(t, "good")
	s.PageSize(1)
	s.AddContact(Contact{ID: "20", Email: "b@x.io"})
	s.AddContact(Contact{ID: "3", Email: "a@x.io"})
	status, body := get(t, s, "/crm/v3/objects/contacts?limit=5&properties=email,jobtitle", "good")
	results, _ := body["results"].([]any)
	if status != http.StatusOK || len(results) != 1 {
		t.Fatalf("got %d %v", status, body)
	}
	first := results[0].(map[string]any)
	props := first["properties"].(map[string]any)
	if first["id"] != "3" || props["email"] != "a@x.io" || props["jobtitle"] != nil {
		t.Errorf("first %v; want contact 3 (IDs in numeric order) with a null jobtitle", first)
	}
	next := body["paging"].(map[string]any)["next"].(map[string]any)
	if next["after"] != "1" || !strings.Contains(next["link"].(string), "after=1") {
		t.Errorf("paging %v", body["paging"])
	}
}
