package sentinel

import (
	"strconv"
	"strings"
)

// linkInfo is what a sentinel takes from one INFO reply of a data node.
type linkInfo struct {
	RunID    string
	Role     string // "master" / "slave" / "" when absent
	Replicas []Addr // a master's slaveN lines
	// A replica's view of its master.
	MasterHost             string
	MasterPort             int
	MasterLinkUp           bool
	MasterLinkDownSinceSec int64
	SlavePriority          int
	SlaveReplOffset        int64
	ReplicaAnnounced       bool
}

// parseLinkInfo reads the fields a sentinel cares about from an INFO text.
// Unknown lines are ignored; absent fields keep Redis's defaults (priority
// 100, announced).
func parseLinkInfo(text string) linkInfo {
	in := linkInfo{SlavePriority: 100, ReplicaAnnounced: true}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		key, val, ok := strings.Cut(line, ":")
		if !ok || line == "" || line[0] == '#' {
			continue
		}
		switch key {
		case "run_id":
			if len(val) == 40 {
				in.RunID = val
			}
		case "role":
			if val == "master" || val == "slave" {
				in.Role = val
			}
		case "master_host":
			in.MasterHost = val
		case "master_port":
			in.MasterPort, _ = strconv.Atoi(val)
		case "master_link_status":
			in.MasterLinkUp = val == "up"
		case "master_link_down_since_seconds":
			in.MasterLinkDownSinceSec, _ = strconv.ParseInt(val, 10, 64)
		case "slave_priority", "replica_priority":
			if n, err := strconv.Atoi(val); err == nil {
				in.SlavePriority = n
			}
		case "slave_repl_offset":
			in.SlaveReplOffset, _ = strconv.ParseInt(val, 10, 64)
		case "replica_announced":
			in.ReplicaAnnounced = val != "0"
		default:
			if a, ok := parseSlaveLine(key, val); ok {
				in.Replicas = append(in.Replicas, a)
			}
		}
	}
	return in
}

// parseSlaveLine reads one "slaveN:" line of a master's INFO. Two shapes
// exist: the current "ip=...,port=...,state=...,..." and the pre-2.8
// "ip,port,state". A line without both an address and a usable port names
// no replica.
func parseSlaveLine(key, val string) (Addr, bool) {
	if !strings.HasPrefix(key, "slave") {
		return Addr{}, false
	}
	if _, err := strconv.Atoi(key[len("slave"):]); err != nil {
		return Addr{}, false
	}
	var ip, port string
	if strings.Contains(val, "=") {
		for _, kv := range strings.Split(val, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "ip":
				ip = v
			case "port":
				port = v
			}
		}
	} else {
		parts := strings.Split(val, ",")
		if len(parts) >= 2 {
			ip, port = parts[0], parts[1]
		}
	}
	p, err := strconv.Atoi(port)
	if ip == "" || err != nil || p <= 0 || p > 65535 {
		return Addr{}, false
	}
	return Addr{IP: ip, Port: p}, true
}

// applyTo copies the parsed fields into an instance status.
func (in linkInfo) applyTo(st *InstanceStatus) {
	st.RunID = in.RunID
	st.Role = in.Role
	st.Replicas = in.Replicas
	st.MasterHost, st.MasterPort = in.MasterHost, in.MasterPort
	st.MasterLinkUp = in.MasterLinkUp
	st.MasterLinkDownSinceSec = in.MasterLinkDownSinceSec
	st.SlavePriority = in.SlavePriority
	st.SlaveReplOffset = in.SlaveReplOffset
	st.ReplicaAnnounced = in.ReplicaAnnounced
}
