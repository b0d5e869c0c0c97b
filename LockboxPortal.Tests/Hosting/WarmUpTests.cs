using System.Collections.Concurrent;
using LockboxPortal.Data;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LockboxPortal.Tests.Hosting;

public sealed class WarmUpTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AtStart_TheQueueAndTheTrailAreReadAsAnApproverAndAnOfficer_AndNothingIsWritten()
    {
        var log = new CapturedLog();
        await using var factory = new PortalFactory(_folder.File("lockbox.db")).WithServices(s => s.AddSingleton<ILoggerProvider>(log));
        factory.CreateClient().Dispose();

        var atStart = Assert.Single(log.From(typeof(WarmUp)));
        Assert.StartsWith("Warmed up: queue of ", atStart, StringComparison.Ordinal);

        await using var scope = factory.Services.CreateAsyncScope();
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<LockboxDbContext>>();
        var before = await StoredAsync(dbFactory);

        var result = await WarmUp.RunAsync(scope.ServiceProvider);

        Assert.Equal(before, await StoredAsync(dbFactory));
        await using var db = await dbFactory.CreateDbContextAsync();
        Assert.True(await db.Memberships.AnyAsync(m => m.UserId == result.ApproverId && m.Role == PortalRole.TenantAdmin), "read the queue as a tenant approver");
        Assert.True(await db.Memberships.AnyAsync(m => m.UserId == result.OfficerId && m.Role == PortalRole.SecurityOfficer), "read the trail as a security officer");
        Assert.True(result.AuditEntries > 0, "the officer's tenant trail has entries in the demo data");
        Assert.Contains($"queue of {result.ApproverId} ({result.QueueRows} rows), trail of {result.OfficerId} ({result.AuditEntries} entries)", atStart, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TurnedOff_NothingIsReadAtStart()
    {
        var log = new CapturedLog();
        await using var factory = new PortalFactory(_folder.File("lockbox.db"))
            .With(WarmUp.Key, "false")
            .WithServices(s => s.AddSingleton<ILoggerProvider>(log));
        factory.CreateClient().Dispose();

        Assert.Empty(log.From(typeof(WarmUp)));
    }

    [Fact]
    public async Task OnAFreshInstall_WithNobodyToReadAs_ItReadsNothing_AndTheNodeStarts()
    {
        var log = new CapturedLog();
        await using var factory = new PortalFactory(_folder.File("lockbox.db"), "Production").WithServices(s => s.AddSingleton<ILoggerProvider>(log));
        using var client = factory.CreateClient();

        using var health = await client.GetAsync("/health/live");
        Assert.True(health.IsSuccessStatusCode);
        Assert.Equal(["Warmed up: queue of (null) (0 rows), trail of (null) (0 entries)"], log.From(typeof(WarmUp)));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(new WarmUp.Result(null, 0, null, 0), await WarmUp.RunAsync(scope.ServiceProvider));
    }

    private static async Task<(int Entries, int Requests, int Users)> StoredAsync(IDbContextFactory<LockboxDbContext> dbFactory)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return (await db.AuditEntries.CountAsync(), await db.AccessRequests.CountAsync(), await db.Users.CountAsync());
    }

    /// <summary>The app's log lines at Information and above, by category.</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Category, string Message)> _lines = new();

        public IReadOnlyList<string> From(Type category) =>
            _lines.Where(l => l.Category == category.FullName).Select(l => l.Message).ToList();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lines.Enqueue((category, formatter(state, exception)));
                }
            }
        }
    }
}
