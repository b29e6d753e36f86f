// Command go-peer is a go-libp2p Kademlia DHT server for product-dht's interop
// tests: the reference implementation we did not write. It listens on
// 127.0.0.1, prints its multiaddrs, then answers one command per stdin line
// with one line on stdout: "ok <fields…>" or "err <message>".
//
//	addrs                        this peer's multiaddrs (with /p2p/<id>)
//	connect <multiaddr>          dial a peer
//	bootstrap                    refresh the routing table
//	routing                      peer ids in the routing table
//	findpeer <peer id>           addresses of a peer, found through the DHT
//	closest <hex key>            peer ids closest to the raw key bytes
//	provide <cid>                announce this peer as a provider of cid
//	providers <cid>              peer ids providing cid
//	put <hex key> <hex value>    store a value under the raw key bytes
//	get <hex key>                the value stored under the raw key bytes, as hex
//	ipns <path>                  publish an IPNS record (sequence 1) for this peer's key
//	                             pointing at <path>; answers the routing key as hex
//	quit                         stop
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ipfs/boxo/ipns"
	"github.com/ipfs/boxo/path"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
)

// each command gets this long before it answers "err"
const commandTimeout = 30 * time.Second

func main() {
	prefix := flag.String("prefix", "/product-dht", "DHT protocol prefix: the DHT speaks <prefix>/kad/1.0.0")
	bucketSize := flag.Int("k", 20, "k: peers per k-bucket, and peers returned by a lookup")
	flag.Parse()

	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "libp2p:", err)
		os.Exit(1)
	}
	defer h.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// on loopback ModeAuto would stay a client and never advertise the protocol
	kad, err := dht.New(h, dht.Mode(dht.ModeServer), dht.ProtocolPrefix(protocol.ID(*prefix)), dht.BucketSize(*bucketSize))
	if err != nil {
		fmt.Fprintln(os.Stderr, "dht:", err)
		os.Exit(1)
	}
	defer kad.Close()

	fmt.Println("ok", strings.Join(addrs(h), " "))
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "quit" {
			fmt.Println("ok")
			return
		}
		cmdCtx, cmdCancel := context.WithTimeout(ctx, commandTimeout)
		out, err := run(cmdCtx, h, kad, fields[0], fields[1:])
		cmdCancel()
		if err != nil {
			fmt.Println("err", strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Println(strings.TrimSpace("ok " + strings.Join(out, " ")))
		}
	}
}

func addrs(h host.Host) []string {
	var out []string
	for _, a := range h.Addrs() {
		out = append(out, fmt.Sprintf("%s/p2p/%s", a, h.ID()))
	}
	return out
}

func arg(args []string, i int, name string) (string, error) {
	if i >= len(args) {
		return "", fmt.Errorf("missing %s", name)
	}
	return args[i], nil
}

func run(ctx context.Context, h host.Host, kad *dht.IpfsDHT, command string, args []string) ([]string, error) {
	switch command {
	case "addrs":
		return addrs(h), nil
	case "connect":
		text, err := arg(args, 0, "multiaddr")
		if err != nil {
			return nil, err
		}
		addr, err := ma.NewMultiaddr(text)
		if err != nil {
			return nil, err
		}
		info, err := peer.AddrInfoFromP2pAddr(addr)
		if err != nil {
			return nil, err
		}
		return nil, h.Connect(ctx, *info)
	case "bootstrap":
		return nil, <-kad.ForceRefresh()
	case "routing":
		var out []string
		for _, id := range kad.RoutingTable().ListPeers() {
			out = append(out, id.String())
		}
		return out, nil
	case "findpeer":
		text, err := arg(args, 0, "peer id")
		if err != nil {
			return nil, err
		}
		id, err := peer.Decode(text)
		if err != nil {
			return nil, err
		}
		info, err := kad.FindPeer(ctx, id)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, a := range info.Addrs {
			out = append(out, a.String())
		}
		return out, nil
	case "closest":
		key, err := hexArg(args, 0, "hex key")
		if err != nil {
			return nil, err
		}
		ids, err := kad.GetClosestPeers(ctx, string(key))
		if err != nil {
			return nil, err
		}
		var out []string
		for _, id := range ids {
			out = append(out, id.String())
		}
		return out, nil
	case "provide", "providers":
		text, err := arg(args, 0, "cid")
		if err != nil {
			return nil, err
		}
		c, err := cid.Decode(text)
		if err != nil {
			return nil, err
		}
		if command == "provide" {
			return nil, kad.Provide(ctx, c, true)
		}
		infos, err := kad.FindProviders(ctx, c)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, info := range infos {
			out = append(out, info.ID.String())
		}
		return out, nil
	case "put":
		key, err := hexArg(args, 0, "hex key")
		if err != nil {
			return nil, err
		}
		value, err := hexArg(args, 1, "hex value")
		if err != nil {
			return nil, err
		}
		return nil, kad.PutValue(ctx, string(key), value)
	case "get":
		key, err := hexArg(args, 0, "hex key")
		if err != nil {
			return nil, err
		}
		value, err := kad.GetValue(ctx, string(key))
		if err != nil {
			return nil, err
		}
		return []string{hex.EncodeToString(value)}, nil
	case "ipns":
		text, err := arg(args, 0, "path")
		if err != nil {
			return nil, err
		}
		value, err := path.NewPath(text)
		if err != nil {
			return nil, err
		}
		record, err := ipns.NewRecord(h.Peerstore().PrivKey(h.ID()), value, 1, time.Now().Add(time.Hour), time.Minute)
		if err != nil {
			return nil, err
		}
		data, err := ipns.MarshalRecord(record)
		if err != nil {
			return nil, err
		}
		key := ipns.NameFromPeer(h.ID()).RoutingKey()
		if err := kad.PutValue(ctx, string(key), data); err != nil {
			return nil, err
		}
		return []string{hex.EncodeToString(key)}, nil
	default:
		return nil, fmt.Errorf("unknown command %q", command)
	}
}

func hexArg(args []string, i int, name string) ([]byte, error) {
	text, err := arg(args, i, name)
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(text)
}
