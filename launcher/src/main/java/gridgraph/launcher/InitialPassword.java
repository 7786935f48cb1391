package gridgraph.launcher;

import java.util.Map;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;

/** Sets the password of the built-in user neo4j, as `neo4j-admin dbms set-initial-password` would. */
final class InitialPassword {

    private InitialPassword() {}

    static void apply(DatabaseManagementService dbms, String password) {
        if (password == null || password.isEmpty()) {
            throw new IllegalStateException(
                    "auth is on but GRIDGRAPH_NEO4J_PASSWORD is not set");
        }
        if (password.length() < 8) {
            throw new IllegalStateException("the Neo4j password must have at least 8 characters");
        }
        GraphDatabaseService system = dbms.database("system");
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j IF EXISTS SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (QueryExecutionException e) {
            // A restart with the password already in place: nothing to change.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }
}
