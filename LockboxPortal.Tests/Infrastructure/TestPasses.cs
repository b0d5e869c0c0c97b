namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// test.sh runs the suite twice: on SQLite, then on PostgreSQL with Redis. Every test runs in the first pass. The
/// second runs what depends on the database and the servers: the services over storage, the API, the timers, the
/// trail, crash recovery, two nodes. A class marked <see cref="SqliteOnly"/> is not run again there, because what it
/// decides is the same on both and the storage it goes through is tested on both by the service tests:
/// <list type="bullet">
/// <item>the pages in Chromium on one node (markup, keyboard, what a page shows and pushes); the two-node browser
/// tests need PostgreSQL and run there only;</item>
/// <item>the authorization matrices (every role against every operation): the rules are the handlers', and the
/// facts they decide on are read by the same queries that every other service test runs on both databases.</item>
/// </list>
/// On PostgreSQL each test's database is a copy of a template, about half a second each, so these two groups were
/// more than half of the second pass.
/// </summary>
public static class TestPasses
{
    public const string Category = "Category";

    public const string SqliteOnly = "SqliteOnly";
}
