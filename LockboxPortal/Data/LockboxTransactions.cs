using LockboxPortal.Authorization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Data;

/// <summary>
/// Runs one service operation as one transaction: a fresh context, the operation, one SaveChanges.
/// When another writer got there first (a stale concurrency token, a taken audit sequence number, a busy
/// database) the whole operation runs again on fresh data, so the loser of a race sees the winner's state
/// and gets the state machine's answer ("already decided") instead of a half-applied change.
/// </summary>
public sealed class LockboxTransactions(IDbContextFactory<LockboxDbContext> factory)
{
    private const int MaxAttempts = 8;

    public async Task<T> RunAsync<T>(Func<LockboxDbContext, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            try
            {
                var result = await operation(db);
                await db.SaveChangesAsync(cancellationToken);
                return result;
            }
            catch (Exception ex) when (IsLostRace(ex))
            {
                if (attempt == MaxAttempts)
                {
                    throw new ConcurrentChangeException();
                }
            }
        }
    }

    public Task RunAsync(Func<LockboxDbContext, Task> operation, CancellationToken cancellationToken = default) =>
        RunAsync(async db =>
        {
            await operation(db);
            return true;
        }, cancellationToken);

    private static bool IsLostRace(Exception ex) => ex switch
    {
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: SqliteException inner } => IsLostRace(inner),
        // 19/2067: a unique index refused a number someone else took; 5 and 6: the database was busy.
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 2067 || sqlite.SqliteErrorCode is 5 or 6,
        _ => false,
    };
}
