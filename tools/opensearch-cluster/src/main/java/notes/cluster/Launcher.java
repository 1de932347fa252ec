package notes.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.MockNode;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;
import org.opensearch.transport.TransportService;

/**
 * Starts a two-node OpenSearch cluster on loopback for the test suite and
 * takes commands on stdin: "stop 2", "start 2", "quit" (EOF also quits).
 * Node 1 is the only cluster-manager-eligible node, so stopping node 2 keeps
 * the cluster up with one node, as a lost data node does.
 */
public final class Launcher {
    private static final Collection<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class, CommonAnalysisPlugin.class);

    private final Path home;
    private final Node[] nodes = new Node[2];
    private String seedAddress;
    private int generation;

    private Launcher(Path home) {
        this.home = home;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Launcher WORK_DIR");
            System.exit(2);
        }
        Launcher launcher = new Launcher(Path.of(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::closeAll));
        try {
            launcher.start(1);
            launcher.start(2);
            launcher.waitForNodes(2);
            System.out.println("READY");
            System.out.flush();
            launcher.serve();
        } catch (Throwable e) {
            System.out.println("FAILED " + e);
            e.printStackTrace();
            System.out.flush();
        } finally {
            launcher.closeAll();
        }
        System.exit(0);
    }

    private void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            try {
                switch (words[0]) {
                    case "quit":
                        return;
                    case "stop":
                        stop(Integer.parseInt(words[1]));
                        waitForNodes(1);
                        System.out.println("STOPPED " + words[1]);
                        break;
                    case "start":
                        start(Integer.parseInt(words[1]));
                        waitForNodes(2);
                        System.out.println("STARTED " + words[1]);
                        break;
                    default:
                        System.out.println("ERROR unknown command " + line);
                }
            } catch (Exception e) {
                System.out.println("ERROR " + e);
            }
            System.out.flush();
        }
    }

    private void start(int number) throws Exception {
        generation += 1;
        Path nodeHome = home.resolve("node-" + number + "-" + generation);
        Files.createDirectories(nodeHome);
        Settings.Builder settings = Settings.builder()
            .put("cluster.name", "notes-test")
            .put("node.name", "node-" + number)
            .put("path.home", nodeHome.toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", 0)
            .put("transport.port", 0)
            .put("http.type", "netty4")
            .put("transport.type", "netty4")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("cluster.initial_cluster_manager_nodes", "node-1");
        if (number == 1) {
            settings.putList("node.roles", "cluster_manager", "data", "ingest");
        } else {
            settings.putList("node.roles", "data", "ingest");
            settings.putList("discovery.seed_hosts", seedAddress);
        }
        Node node = new MockNode(settings.build(), PLUGINS);
        node.start();
        nodes[number - 1] = node;
        TransportAddress transport = node.injector().getInstance(TransportService.class)
            .boundAddress().publishAddress();
        if (number == 1) {
            seedAddress = transport.getAddress() + ":" + transport.getPort();
        }
        TransportAddress http = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress();
        System.out.println("NODE " + number + " http://" + http.getAddress() + ":" + http.getPort());
        System.out.flush();
    }

    private void stop(int number) throws Exception {
        Node node = nodes[number - 1];
        nodes[number - 1] = null;
        if (node != null) {
            node.close();
            node.awaitClose(30, TimeUnit.SECONDS);
        }
    }

    private void waitForNodes(int count) {
        nodes[0].client().admin().cluster().prepareHealth()
            .setWaitForNodes(Integer.toString(count))
            .setTimeout(org.opensearch.common.unit.TimeValue.timeValueSeconds(60))
            .get();
    }

    private synchronized void closeAll() {
        for (int i = nodes.length - 1; i >= 0; i--) {
            try {
                stop(i + 1);
            } catch (Exception e) {
                e.printStackTrace();
            }
        }
    }
}
