package dev.fovea.gateway.backend;

import dev.fovea.gateway.pipeline.HostPort;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The replicas behind the addresses a pipeline lists. An IP address is one replica; a host name stands for every
 * address it resolves to (a Kubernetes headless Service resolves to its ready pods), resolved again every
 * {@code discovery-refresh}, so pods that join are used and pods that leave are dropped without a restart. A name
 * that stops resolving keeps its last answer; one that never resolved is used as it is, so calls fail naming it.
 */
@ApplicationScoped
public class ReplicaDiscovery {
    private static final Logger LOG = Logger.getLogger(ReplicaDiscovery.class);

    /** A host name's addresses; the JDK's resolver (the system's DNS) outside tests. */
    interface Resolver {
        InetAddress[] addresses(String host) throws UnknownHostException;
    }

    private final Map<String, List<String>> resolved = new ConcurrentHashMap<>();
    private final Resolver resolver;
    private final GrpcChannels channels;
    private final ScheduledExecutorService refresher;

    @jakarta.inject.Inject
    ReplicaDiscovery(RoutingSettings settings, GrpcChannels channels) {
        this(settings, InetAddress::getAllByName, channels);
    }

    ReplicaDiscovery(RoutingSettings settings, Resolver resolver, GrpcChannels channels) {
        this.resolver = resolver;
        this.channels = channels;
        refresher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("replica-discovery").unstarted(r));
        long every = Math.max(100, settings.discoveryRefresh().toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    /** The replica addresses ({@code ip:port}) behind {@code configured}, in a stable order, without duplicates. */
    public List<String> replicas(List<String> configured) {
        Set<String> out = new LinkedHashSet<>();
        for (String entry : configured) {
            out.addAll(resolved.computeIfAbsent(entry, e -> resolve(e, List.of(e))));
        }
        return List.copyOf(out);
    }

    void refresh() {
        Set<String> before = all();
        for (var e : resolved.entrySet()) {
            List<String> now = resolve(e.getKey(), e.getValue());
            if (!now.equals(e.getValue())) {
                LOG.infof("%s now resolves to %s (was %s)", e.getKey(), now, e.getValue());
                e.setValue(now);
            }
        }
        before.removeAll(all());
        before.forEach(channels::retire); // pods that left: their channels would only wait for them
    }

    private Set<String> all() {
        Set<String> out = new java.util.HashSet<>();
        resolved.values().forEach(out::addAll);
        return out;
    }

    /** The entry's addresses, IPv4 ones only when it has any (a dual-stack localhost is one replica, not two). */
    List<String> resolve(String entry, List<String> previous) {
        HostPort hp = HostPort.parse(entry);
        if (isLiteral(hp.host())) {
            return List.of(entry);
        }
        try {
            InetAddress[] all = resolver.addresses(hp.host());
            List<String> v4 = new ArrayList<>();
            List<String> any = new ArrayList<>();
            for (InetAddress a : all) {
                String address = new HostPort(a.getHostAddress(), hp.port()).toString();
                (a instanceof Inet4Address ? v4 : any).add(address);
            }
            List<String> chosen = new ArrayList<>(new LinkedHashSet<>(v4.isEmpty() ? any : v4));
            chosen.sort(null);
            return chosen.isEmpty() ? previous : List.copyOf(chosen);
        } catch (UnknownHostException e) {
            return previous;
        }
    }

    private static boolean isLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }

    @PreDestroy
    void close() {
        refresher.shutdownNow();
    }
}
