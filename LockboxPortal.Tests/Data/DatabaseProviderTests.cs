using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Data;

public sealed class DatabaseProviderTests
{
    [Fact]
    public async Task LostRace_AsTheProviderClassifiesIt_RunsTheWholeOperationAgain()
    {
        var provider = new ClassifyingProvider(ex => ex is SimulatedRace);
        await using var harness = await ServiceHarness.CreateAsync(provider.Replace);
        var transactions = harness.Services.GetRequiredService<LockboxTransactions>();

        var attempts = 0;
        await transactions.RunAsync(async db =>
        {
            attempts++;
            db.Tenants.Add(new Tenant(Guid.NewGuid(), "Raced", "raced", ServiceHarness.Start));
            await db.SaveChangesAsync();
            if (attempts == 1)
            {
                throw new SimulatedRace();
            }
        });

        Assert.Equal(2, attempts);
        await using var check = harness.NewContext();
        Assert.Equal(1, await check.Tenants.CountAsync(t => t.ShortName == "raced"));
    }

    [Fact]
    public async Task Failure_TheProviderDoesNotClassify_FailsOnce_AndWritesNothing()
    {
        var provider = new ClassifyingProvider(_ => false);
        await using var harness = await ServiceHarness.CreateAsync(provider.Replace);
        var transactions = harness.Services.GetRequiredService<LockboxTransactions>();

        var attempts = 0;
        await Assert.ThrowsAsync<SimulatedRace>(() => transactions.RunAsync(async db =>
        {
            attempts++;
            db.Tenants.Add(new Tenant(Guid.NewGuid(), "Raced", "raced", ServiceHarness.Start));
            await db.SaveChangesAsync();
            throw new SimulatedRace();
        }));

        Assert.Equal(1, attempts);
        Assert.Contains(provider.Asked, ex => ex is SimulatedRace);
        await using var check = harness.NewContext();
        Assert.False(await check.Tenants.AnyAsync(t => t.ShortName == "raced"));
    }

    [Fact]
    public async Task Migrating_RunsWhatTheProviderRunsAfterwards()
    {
        var provider = new ClassifyingProvider(_ => false);
        await using var harness = await ServiceHarness.CreateAsync(provider.Replace);

        Assert.Equal(1, provider.AfterMigrateCalls);
    }

    [Fact]
    public async Task Sqlite_AfterMigrating_IsInWalMode()
    {
        await using var harness = await ServiceHarness.CreateSqliteAsync();
        await using var db = harness.NewContext();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    public static TheoryData<Exception, bool> SqliteFailures => new()
    {
        { new SqliteException("busy", 5), true },
        { new SqliteException("locked", 6), true },
        { new SqliteException("unique", 19, 2067), true },
        { new DbUpdateException("save", new SqliteException("unique", 19, 2067)), true },
        { new InvalidOperationException("commit", new SqliteException("busy", 5)), true },
        { new SqliteException("foreign key", 19, 787), false },
        { new SqliteException("not null", 19, 1299), false },
        { new DbUpdateException("save", new SqliteException("check", 19, 275)), false },
        { new InvalidOperationException("something else"), false },
    };

    [Theory]
    [MemberData(nameof(SqliteFailures))]
    public void Sqlite_ClassifiesATakenNumberOrABusyDatabase_AsALostRace_AndNothingElse(Exception failure, bool lostRace)
    {
        Assert.Equal(lostRace, new SqliteDatabaseProvider("/unused/lockbox.db").IsLostRace(failure));
    }

    private sealed class SimulatedRace : Exception;

    /// <summary>The SQLite provider with a lost-race rule of the test's own, so a retry can only come from asking it.</summary>
    private sealed class ClassifyingProvider(Func<Exception, bool> isLostRace) : IDatabaseProvider
    {
        private IDatabaseProvider _inner = default!;

        public List<Exception> Asked { get; } = [];

        public int AfterMigrateCalls { get; private set; }

        public void Replace(IServiceCollection services)
        {
            _inner = (IDatabaseProvider)services.Last(d => d.ServiceType == typeof(IDatabaseProvider)).ImplementationInstance!;
            services.AddSingleton<IDatabaseProvider>(this);
        }

        public void AddDbContext(IServiceCollection services) => _inner.AddDbContext(services);

        public bool IsLostRace(Exception exception)
        {
            Asked.Add(exception);
            return isLostRace(exception);
        }

        public async Task AfterMigrateAsync(LockboxDbContext db, CancellationToken cancellationToken)
        {
            AfterMigrateCalls++;
            await _inner.AfterMigrateAsync(db, cancellationToken);
        }

        public void PersistDataProtectionKeys(IDataProtectionBuilder dataProtection) => _inner.PersistDataProtectionKeys(dataProtection);

        public Task<long?> NextEventNumberAsync(LockboxDbContext db, CancellationToken cancellationToken) => _inner.NextEventNumberAsync(db, cancellationToken);

        public Task SerializeAsync(LockboxDbContext db, string key, CancellationToken cancellationToken) => _inner.SerializeAsync(db, key, cancellationToken);

        public Task<IReadOnlyList<Guid>> ClaimAsync<TEntity>(LockboxDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
            where TEntity : class => _inner.ClaimAsync<TEntity>(db, ids, cancellationToken);
    }
}
