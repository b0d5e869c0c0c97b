using Microsoft.AspNetCore.DataProtection;

namespace LockboxPortal.Data;

/// <summary>
/// What differs between database engines, so that the rest of the portal is written once. Today's one
/// implementation is <see cref="SqliteDatabaseProvider"/>; a PostgreSQL one brings its own derived context and
/// migration set. The provider's own types (its exceptions, its pragmas) are named only in its implementation.
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

    /// <summary>Where the keys that protect sign-in cookies and signing keys are kept, so restarts and instances share them.</summary>
    void PersistDataProtectionKeys(IDataProtectionBuilder dataProtection);
}
