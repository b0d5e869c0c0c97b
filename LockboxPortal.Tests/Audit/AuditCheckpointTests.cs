using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// Finding 5: someone who can write the database re-chains every later hash, or cuts the tail, and the hash chain
/// alone still verifies. A signed checkpoint of the head (signed with the certificate's key, which the database does
/// not hold) catches both.
/// </summary>
public sealed class AuditCheckpointTests
{
    [Fact]
    public async Task Untouched_ChainWithCheckpoints_Passes()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 4);
        await Checkpoints(harness).TakeAsync(harness.Contoso);
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        await Checkpoints(harness).TakeAsync(harness.Contoso);
        await AuditTestData.AppendAsync(harness, harness.Contoso, 1);

        Assert.True((await AuditTestData.VerifyAsync(harness, harness.Contoso)).IsIntact);
        Assert.Equal("matches 2 signed checkpoints", (await Checkpoints(harness).VerifyAsync(harness.Contoso)).ToString());
    }

    [Fact]
    public async Task RechainedAfterACheckpoint_HashChainStillVerifies_ButTheCheckpointFails()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 6);
        await Checkpoints(harness).TakeAsync(harness.Contoso);
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.RechainAsync(harness, harness.Contoso, 3, "{\"change\":\"rewritten\"}");

        Assert.Equal("intact, 8 entries", (await AuditTestData.VerifyAsync(harness, harness.Contoso)).ToString());
        var anchored = await Checkpoints(harness).VerifyAsync(harness.Contoso);
        Assert.False(anchored.IsIntact);
        Assert.Contains("entry 6 no longer has the hash signed", anchored.Failure);
    }

    [Fact]
    public async Task TailCutBelowACheckpoint_HashChainStillVerifies_ButTheCheckpointFails()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 6);
        await Checkpoints(harness).TakeAsync(harness.Contoso);
        await AuditTestData.DropGuardsAsync(harness);

        await AuditTestData.CutTailAsync(harness, harness.Contoso, 5);

        Assert.Equal("intact, 4 entries", (await AuditTestData.VerifyAsync(harness, harness.Contoso)).ToString());
        var anchored = await Checkpoints(harness).VerifyAsync(harness.Contoso);
        Assert.Contains("entry 6, signed as the head", anchored.Failure);
        Assert.Contains("the chain was cut", anchored.Failure);
    }

    [Fact]
    public async Task ACheckpointWrittenIntoTheDatabaseWithoutTheKey_Fails()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 3);
        var real = (await Checkpoints(harness).TakeAsync(harness.Contoso))!;
        var other = LockboxPortal.Common.PortalCertificate.Load(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), new DevelopmentEnvironment(), Path.GetDirectoryName(harness.DatabasePath)!);

        var forged = AuditCheckpoint.Sign(other, harness.Contoso, real.Sequence, real.Hash, real.TakenAt);
        var tampered = AuditCheckpoint.FromParts(real.ChainId, real.Sequence + 1, real.Hash, real.TakenAt, real.KeyId, real.Signature);

        Assert.False((await Checkpoints(harness).VerifyAsync(forged)).IsIntact);
        Assert.Contains("not signed by this portal's certificate", (await Checkpoints(harness).VerifyAsync(tampered)).Failure);
        Assert.True((await Checkpoints(harness).VerifyAsync(real)).IsIntact);
    }

    [Fact]
    public async Task TakingACheckpoint_OfAnUnmovedHead_ReusesIt_AndHandsTheTenantsOneToTheOutboundSeam()
    {
        var sent = new List<OutboundMessage>();
        await using var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton<IOutboundMessages>(new Recording(sent)));
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        await AuditTestData.AppendAsync(harness, null, 1);

        var first = await Checkpoints(harness).TakeAsync(harness.Contoso);
        var again = await Checkpoints(harness).TakeAsync(harness.Contoso);
        await Checkpoints(harness).TakeAsync(AuditEntry.ProviderChain);

        Assert.Equal(first!.Id, again!.Id);
        var message = Assert.Single(sent);
        Assert.Equal((AuditCheckpoints.MessageType, harness.Contoso), (message.Type, message.TenantId));
        Assert.Contains(first.Signature, message.PayloadJson, StringComparison.Ordinal);
        Assert.Null(await Checkpoints(harness).TakeAsync(harness.Northwind));
    }

    [Fact]
    public async Task TheDatabase_RefusesToChangeOrRemoveCheckpoints()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        await Checkpoints(harness).TakeAsync(harness.Contoso);
        await using var db = harness.NewContext();

        // The same guard on either database (SqliteException or PostgresException, both a DbException).
        var update = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"AuditCheckpoints\" SET \"Sequence\" = 1"));
        var delete = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditCheckpoints\""));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
    }

    [Fact]
    public async Task TheSchedule_TakesACheckpointOfEveryMovedChain_WhenItsIntervalPasses()
    {
        await using var harness = await ServiceHarness.CreateAsync();
        await AuditTestData.AppendAsync(harness, harness.Contoso, 2);
        await AuditTestData.AppendAsync(harness, harness.Northwind, 1);
        var timer = harness.Services.GetRequiredService<AuditCheckpointTimer>();
        var passes = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sleeping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        timer.PassCompleted += taken => passes.TrySetResult(taken);
        timer.Sleeping += () => sleeping.TrySetResult();
        await timer.StartAsync(CancellationToken.None);
        try
        {
            await using (var db = harness.NewContext())
            {
                Assert.Equal(0, await db.AuditCheckpoints.CountAsync());
            }

            // The timer sleeps on the fake clock (its first sleep starts in the background after StartAsync): once it
            // does, move the clock past it.
            await sleeping.Task.WaitAsync(TimeSpan.FromMinutes(2));
            harness.Time.Advance(timer.Interval);

            Assert.Equal(2, await passes.Task.WaitAsync(TimeSpan.FromMinutes(2)));
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }

        await using var check = harness.NewContext();
        Assert.Equal(2, await check.AuditCheckpoints.CountAsync());
    }

    private static AuditCheckpoints Checkpoints(ServiceHarness harness) =>
        harness.Services.CreateScope().ServiceProvider.GetRequiredService<AuditCheckpoints>();

    private sealed class Recording(List<OutboundMessage> sent) : IOutboundMessages
    {
        public Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
        {
            lock (sent)
            {
                sent.Add(message);
            }

            return Task.CompletedTask;
        }
    }

    private sealed class DevelopmentEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";

        public string ApplicationName { get; set; } = "LockboxPortal";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
