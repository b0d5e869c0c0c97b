using Microsoft.AspNetCore.DataProtection;

namespace LockboxPortal.Data;

/// <summary>
/// What differs between database engines, so that the rest of the portal is written once:
/// <see cref="SqliteDatabaseProvider"/> (the default, one node) and <see cref="PostgresDatabaseProvider"/> (several
/// nodes), each with its own derived context and migration set. The provider's own types (its exceptions, its
/// pragmas, its locking SQL) are named only in its implementation.
/// </summary>
public interface IDatabaseProvider
{
    /// <summary>
    /// Registers the provider's derived context (which owns its migrations) with its options, behind
    /// <c>IDbContextFactory&lt;LockboxDbContext&gt;</c> and a scoped <see cref="LockboxDbContext"/>.
    /// </summary>
    void AddDbContext(IServiceCollection services);

    /// <summary>
    /// Whether a failure means another writer got there first (a taken unique number, a busy database), so that
    /// <see cref="LockboxTransactions"/> runs the whole operation again on fresh data instead of failing it.
    /// </summary>
    bool IsLostRace(Exception exception);

    /// <summary>What the engine needs once the migrations are applied, before the portal serves anyone.</summary>
    Task AfterMigrateAsync(LockboxDbContext db, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the running transaction the only writer of <paramref name="key"/> (an audit chain, a year's request
    /// references) until it ends, so concurrent writers take turns instead of forking a chain or taking one number
    /// twice. SQLite needs nothing: its write transactions already run one at a time.
    /// </summary>
    Task SerializeAsync(LockboxDbContext db, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Of the candidate rows of <typeparamref name="TEntity"/>, the ones the running transaction now holds and no
    /// other transaction is working on (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>), so timers on several nodes
    /// each take different due rows instead of all trying the same ones. SQLite returns them all.
    /// </summary>
    Task<IReadOnlyList<Guid>> ClaimAsync<TEntity>(LockboxDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
        where TEntity : class;

    /// <summary>
    /// The next number of the database's event sequence, which the transport between nodes stamps on every event so a
    /// node notices one it missed; null where the database serves one node (SQLite) and events never leave it.
    /// </summary>
    Task<long?> NextEventNumberAsync(LockboxDbContext db, CancellationToken cancellationToken);

    /// <summary>Where the keys that protect sign-in cookies and signing keys are kept, so restarts and instances share them.</summary>
    void PersistDataProtectionKeys(IDataProtectionBuilder dataProtection);
}
