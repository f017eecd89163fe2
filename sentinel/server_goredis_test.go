package sentinel

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// go-redis talks to the front end as it talks to a real sentinel: RESP3
// handshake (HELLO 3, CLIENT SETINFO tolerated), the sentinel queries its
// failover client uses, and +switch-master delivered as a push message.
func TestGoRedisSentinelClientWorksAgainstFrontEnd(t *testing.T) {
	fx := startAPI(t)
	fx.apply(t, Command{Op: OpMonitor, Name: "mymaster", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	fx.apply(t, Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: 6380})
	fx.apply(t, Command{Op: OpMember, Member: &Member{ID: fx.s.myID, IP: "127.0.0.1", Port: 1, RaftID: "a", RaftAddr: "x:1"}})
	fx.apply(t, Command{Op: OpMember, Member: &Member{ID: randomHex40(), IP: "127.0.0.1", Port: 26999, RaftID: "b", RaftAddr: "x:2"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sc := redis.NewSentinelClient(&redis.Options{Addr: fx.addr, Protocol: 3})
	defer sc.Close()
	addr, err := sc.GetMasterAddrByName(ctx, "mymaster").Result()
	if err != nil || len(addr) != 2 || addr[0] != "127.0.0.1" || addr[1] != "6379" {
		t.Fatalf("GetMasterAddrByName: %v %v", addr, err)
	}
	if _, err := sc.GetMasterAddrByName(ctx, "nope").Result(); err != redis.Nil {
		t.Fatalf("unknown master: %v", err)
	}
	sens, err := sc.Sentinels(ctx, "mymaster").Result()
	if err != nil || len(sens) != 1 || sens[0]["port"] != "26999" {
		t.Fatalf("Sentinels: %v %v", sens, err)
	}
	reps, err := sc.Replicas(ctx, "mymaster").Result()
	if err != nil || len(reps) != 1 || reps[0]["ip"] != "127.0.0.1" || reps[0]["port"] != "6380" {
		t.Fatalf("Replicas: %v %v", reps, err)
	}
	m, err := sc.Master(ctx, "mymaster").Result()
	if err != nil || m["quorum"] != "2" || m["num-other-sentinels"] != "1" {
		t.Fatalf("Master: %v %v", m, err)
	}
	ps := sc.Subscribe(ctx, "+switch-master")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	fx.s.publish(Event{Channel: "+switch-master", Payload: "mymaster 127.0.0.1 6379 127.0.0.1 " + strconv.Itoa(6380)})
	msg, err := ps.ReceiveMessage(ctx)
	if err != nil || msg.Channel != "+switch-master" || msg.Payload != "mymaster 127.0.0.1 6379 127.0.0.1 6380" {
		t.Fatalf("message: %+v %v", msg, err)
	}
}
