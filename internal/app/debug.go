package app

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"

	"github.com/foyerhq/foyer/internal/ipdata"
)

// debugHandler serves Go's profiling endpoints and the operators' actions.
// They belong on an address that only operators reach (--debug-listen),
// never on the public one.
func debugHandler(res *ipdata.Resolver) http.Handler {
	mux := http.NewServeMux()
	// Load the IP data table file again, as SIGHUP does; the table in
	// service stays when the file cannot be read.
	mux.HandleFunc("POST /admin/ipdata/reload", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if res == nil {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"error": "this server has no IP data resolver"})
			return
		}
		t, err := res.Load()
		if err != nil {
			w.WriteHeader(http.StatusUnprocessableEntity)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error(), "kept": "the table in service is unchanged"})
			return
		}
		json.NewEncoder(w).Encode(t.Info())
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
