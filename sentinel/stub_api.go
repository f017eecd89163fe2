package sentinel

// STUB (owner: front end — server/cmd/pubsub/info). Delete when real.

import "net"

// Hub delivers events to local subscribers.
type Hub struct{}

// Publish sends ev to every client subscribed to its channel or a
// matching pattern, and logs it.
func (h *Hub) Publish(ev Event) {}

type frontEnd struct{}

func newHub(s *Sentinel) *Hub                   { return &Hub{} }
func newFrontEnd(s *Sentinel) *frontEnd         { return &frontEnd{} }
func (f *frontEnd) Serve(ln net.Listener) error { return nil }
func (f *frontEnd) Close()                      {}
