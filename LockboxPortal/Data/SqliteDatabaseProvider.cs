using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Data;

/// <summary>SQLite, one file on local disk (docs/decisions/0001): the default, for one node.</summary>
public sealed class SqliteDatabaseProvider(string databasePath) : IDatabaseProvider
{
    public string DatabasePath { get; } = databasePath;

    public void AddDbContext(IServiceCollection services)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var connectionString = $"Data Source={DatabasePath};Default Timeout=30";
        services.AddLockboxDbContext<SqliteLockboxDbContext>(options => options.UseSqlite(connectionString));
    }

    public bool IsLostRace(Exception exception) => exception switch
    {
        DbUpdateException { InnerException: SqliteException inner } => IsLostRace(inner),
        InvalidOperationException { InnerException: SqliteException inner } => IsLostRace(inner),
        // 19/2067: a unique index refused a number someone else took; 5 and 6: the database was busy.
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067 || sqlite.SqliteErrorCode is 5 or 6,
        _ => false,
    };

    public async Task AfterMigrateAsync(LockboxDbContext db, CancellationToken cancellationToken)
    {
        // WAL lets readers (pages, the access check) go on while one writer commits.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    /// <summary>Write transactions start with <c>BEGIN IMMEDIATE</c>, so writers already take turns.</summary>
    public Task SerializeAsync(LockboxDbContext db, string key, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One writer at a time holds the whole database, so every candidate is this transaction's.</summary>
    public Task<IReadOnlyList<Guid>> ClaimAsync<TEntity>(LockboxDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
        where TEntity : class => Task.FromResult(ids);

    /// <summary>One file, one node: events stay in the process and need no numbers.</summary>
    public Task<long?> NextEventNumberAsync(LockboxDbContext db, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    /// <summary>Beside the database file: whoever may read the database may read the keys, and a backup takes both.</summary>
    public void PersistDataProtectionKeys(IDataProtectionBuilder dataProtection) =>
        dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetDirectoryName(DatabasePath)!, "keys")));
}
