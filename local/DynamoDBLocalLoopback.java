/*
 * Starts AWS's DynamoDB Local (the jar in amplify-dynamodb-simulator, 1.25.1) bound to
 * 127.0.0.1 only. DynamoDB Local has no host option: its Jetty server listens on every
 * interface. This launcher builds the server exactly as DynamoDB Local's own main does
 * (same command-line arguments), sets the host of its one Jetty connector to 127.0.0.1
 * before starting it, and fails instead of starting if that cannot be done.
 *
 * `-port 0` asks for any free port, taken when the server binds (DynamoDB Local's own parser
 * refuses 0, so it is given a placeholder): nothing else can take the port between its choice
 * and the bind.
 *
 * It prints "LISTENING 127.0.0.1:<port>" once the server accepts connections, and exits
 * when its standard input closes, so it never outlives the Node process that started it.
 * Compiled and run by local/dynamodb-local.ts.
 */
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.InputStream;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public final class DynamoDBLocalLoopback {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    String[] forLocal = args.clone();
    boolean anyPort = false;
    for (int i = 0; i + 1 < forLocal.length; i++) {
      if (forLocal[i].equals("-port") && forLocal[i + 1].equals("0")) {
        forLocal[i + 1] = "8000";
        anyPort = true;
      }
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(forLocal);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    Connector[] connectors = jetty.getConnectors();
    if (connectors.length != 1 || !(connectors[0] instanceof ServerConnector)) {
      throw new IllegalStateException("Unexpected DynamoDB Local server: " + connectors.length + " connectors");
    }
    ServerConnector connector = (ServerConnector) connectors[0];
    connector.setHost(HOST);
    if (anyPort) connector.setPort(0);
    proxy.start();
    if (!HOST.equals(connector.getHost())) throw new IllegalStateException("Not bound to " + HOST);

    Thread watchdog = new Thread(() -> {
      try {
        InputStream in = System.in;
        while (in.read() != -1) {
          // Nothing is sent: end of input means the parent is gone.
        }
      } catch (Exception ignored) {
        // Same as end of input.
      }
      System.exit(0);
    }, "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    System.out.println("LISTENING " + HOST + ":" + connector.getLocalPort());
    System.out.flush();
    proxy.join();
  }
}
