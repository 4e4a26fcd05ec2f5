// The storage suite on SQLite (always) and PostgreSQL (when P2_TEST_DATABASE_URL is set).
import { storageSuite } from "./storage.suite.js";
import { testStorageTargets } from "./testing.js";

for (const target of testStorageTargets()) {
  storageSuite(target.name, target.open);
}
