using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LockboxPortal.Data;

/// <summary>
/// PostgreSQL, for several nodes over one database (docs/decisions/0010). Writers of one thing take turns through
/// transaction-scoped advisory locks, timers claim due rows with <c>FOR UPDATE SKIP LOCKED</c>, and the Data
/// Protection key ring is a table, so a cookie or a grant token made on one node is accepted on every other.
/// </summary>
public sealed class PostgresDatabaseProvider(string connectionString) : IDatabaseProvider
{
    public string ConnectionString { get; } = connectionString;

    public void AddDbContext(IServiceCollection services) =>
        services.AddLockboxDbContext<PostgresLockboxDbContext>(options => options.UseNpgsql(ConnectionString));

    public bool IsLostRace(Exception exception) => exception switch
    {
        // 23505: a unique index refused a number someone else took; 40001 and 40P01: serialization failure, deadlock.
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.UniqueViolation
            or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        { InnerException: { } inner } => IsLostRace(inner),
        _ => false,
    };

    public Task AfterMigrateAsync(LockboxDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A lock on the key's 64-bit hash, held until the transaction ends: the next writer of the same chain or year
    /// waits here and then reads the head the first one committed, instead of losing a race and starting over.
    /// </summary>
    public async Task SerializeAsync(LockboxDbContext db, string key, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);

    public async Task<IReadOnlyList<Guid>> ClaimAsync<TEntity>(LockboxDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
        where TEntity : class
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var entity = db.Model.FindEntityType(typeof(TEntity))!;
        var table = entity.GetTableName()!;
        var key = entity.FindPrimaryKey()!.Properties.Single().GetColumnName();
        // The table and column names come from the model, never from input; the ids are a parameter.
        var sql = "SELECT \"" + key + "\" AS \"Value\" FROM \"" + table + "\" WHERE \"" + key + "\" = ANY(@ids) FOR UPDATE SKIP LOCKED";
        return await db.Database.SqlQueryRaw<Guid>(sql, new NpgsqlParameter("ids", ids.ToArray())).ToListAsync(cancellationToken);
    }

    /// <summary>A database sequence: shared by every node, never handing out a number twice.</summary>
    public async Task<long?> NextEventNumberAsync(LockboxDbContext db, CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<long>("""SELECT nextval('"EventNumbers"') AS "Value" """).ToListAsync(cancellationToken)).Single();

    public void PersistDataProtectionKeys(IDataProtectionBuilder dataProtection) =>
        dataProtection.PersistKeysToDbContext<PostgresLockboxDbContext>();
}
