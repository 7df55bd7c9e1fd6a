package dev.tokenrefresher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerProcessesTest {

    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
            + "uid  timeout inode";

    @Test
    void theBrokersSocketIsTheOneListeningOnItsPortOverIpv4OrIpv6() {
        List<String> tcp = List.of(HEADER,
                // 127.0.0.1:5432 listening (PostgreSQL)
                "   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 6075 1 "
                        + "00000000e146da45 100 0 0 10 0",
                // 0.0.0.0:5672 listening (the broker)
                "   1: 00000000:1628 00000000:0000 0A 00000000:00000000 00:00000000 00000000   107        0 10099 1 "
                        + "00000000c65a9c51 100 0 0 10 0",
                // a client's connection to 5672: established, not listening
                "   2: 0100007F:9C40 0100007F:1628 01 00000000:00000000 00:00000000 00000000     0        0 7777 1 "
                        + "0000000052536935 20 4 30 10 -1");
        List<String> tcp6 = List.of(HEADER,
                "   0: 00000000000000000000000000000000:1628 00000000000000000000000000000000:0000 0A 00000000:00000000 "
                        + "00:00000000 00000000   107        0 10100 1 0000000000000000 100 0 0 10 0");

        assertThat(ServerProcesses.listeningInodes(tcp, 5672)).containsExactly(10099L);
        assertThat(ServerProcesses.listeningInodes(tcp6, 5672)).containsExactly(10100L);
        assertThat(ServerProcesses.listeningInodes(tcp, 5701)).isEmpty();
    }
}
