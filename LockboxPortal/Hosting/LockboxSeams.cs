using LockboxPortal.Data;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Notifications;

namespace LockboxPortal.Hosting;

/// <summary>
/// The four places where a second implementation is coming (docs/decisions/0008), each chosen here and nowhere
/// else. Everything else in the portal is a concrete class.
/// </summary>
public static class LockboxSeams
{
    /// <summary>The database provider: SQLite, one file (PostgreSQL next, for several instances).</summary>
    public static IDatabaseProvider DatabaseProvider(IConfiguration configuration, IHostEnvironment environment) =>
        new SqliteDatabaseProvider(DatabaseSetup.ResolveSqlitePath(configuration, environment));

    /// <summary>The event transport, the access check's candidates and the outbound messages.</summary>
    public static IServiceCollection AddLockboxSeams(this IServiceCollection services)
    {
        // In this process only (Redis next, so every instance's pages hear every instance's changes).
        services.AddSingleton<IEventTransport, InProcessEventTransport>();

        // Read from storage on every check (an in-memory index kept current by request events next).
        services.AddSingleton<IAccessCandidateSource, StoredAccessCandidates>();

        // Written to the outbox in the operation's transaction; the dispatcher sends it later (Features/Notifications).
        services.AddSingleton<IOutboundMessages, Outbox>();
        return services;
    }
}
