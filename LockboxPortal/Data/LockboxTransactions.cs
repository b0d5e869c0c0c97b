using LockboxPortal.Authorization;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Data;

/// <summary>
/// Runs one service operation as one transaction: a fresh context, an explicit transaction from the first read
/// (on SQLite, <c>BEGIN IMMEDIATE</c>, so writers queue for the database instead of racing), the operation, one
/// SaveChanges, commit. When another writer still got there first (a stale concurrency token, a taken audit
/// sequence number, a busy database) the whole operation runs again on fresh data, so the loser of a race sees the
/// winner's state and gets the state machine's answer ("already decided") instead of a half-applied change.
/// A stale concurrency token is EF's own signal; what else counts as a lost race is the database's to say
/// (<see cref="IDatabaseProvider.IsLostRace"/>).
/// </summary>
public sealed class LockboxTransactions(IDbContextFactory<LockboxDbContext> factory, IDatabaseProvider provider)
{
    private const int MaxAttempts = 8;

    /// <summary>Writes asked for during the running operation, to run once it has committed or rolled back.</summary>
    private static readonly AsyncLocal<List<Func<CancellationToken, Task>>?> AfterCurrent = new();

    public async Task<T> RunAsync<T>(Func<LockboxDbContext, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        if (AfterCurrent.Value is not null)
        {
            // A second transaction inside the first would wait for the first's write lock forever.
            throw new InvalidOperationException("An operation is already running on this flow; use AfterOperationAsync for a separate write.");
        }

        var after = new List<Func<CancellationToken, Task>>();
        AfterCurrent.Value = after;
        try
        {
            return await RunAttemptsAsync(operation, after, cancellationToken);
        }
        finally
        {
            AfterCurrent.Value = null;
            foreach (var write in after)
            {
                await write(cancellationToken);
            }
        }
    }

    public Task RunAsync(Func<LockboxDbContext, Task> operation, CancellationToken cancellationToken = default) =>
        RunAsync(async db =>
        {
            await operation(db);
            return true;
        }, cancellationToken);

    /// <summary>
    /// A write of its own that must happen whatever becomes of the running operation, such as the audit entry of a
    /// refused attempt: run now when no operation is running, otherwise right after the current one ends.
    /// </summary>
    public Task AfterOperationAsync(Func<LockboxDbContext, Task> write, CancellationToken cancellationToken = default)
    {
        if (AfterCurrent.Value is { } pending)
        {
            pending.Add(ct => RunAsync(write, ct));
            return Task.CompletedTask;
        }

        return RunAsync(write, cancellationToken);
    }

    private async Task<T> RunAttemptsAsync<T>(Func<LockboxDbContext, Task<T>> operation, List<Func<CancellationToken, Task>> after, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            after.Clear();
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var result = await operation(db);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception ex) when (ex is DbUpdateConcurrencyException || provider.IsLostRace(ex))
            {
                if (attempt == MaxAttempts)
                {
                    throw new ConcurrentChangeException();
                }
            }
        }
    }
}
