using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Data;

public sealed class OutboundMessagesTests
{
    [Fact]
    public async Task FilingARequest_HandsItsMessageOver_InsideTheOperationsTransaction()
    {
        var outbox = new TestOutbox();
        await using var harness = await CreateAsync(outbox);

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        var handed = Assert.Single(outbox.Received);
        Assert.True(handed.InTransaction);
        Assert.Equal("AccessRequest.Filed", handed.Message.Type);
        Assert.Equal(harness.Contoso, handed.Message.TenantId);
        Assert.Equal(filed.Id.ToString(), handed.Message.SubjectId);
        using var payload = JsonDocument.Parse(handed.Message.PayloadJson);
        Assert.Equal(filed.Reference, payload.RootElement.GetProperty("reference").GetString());
        Assert.Equal([filed.Id.ToString()], await outbox.StoredAsync(harness));
    }

    [Fact]
    public async Task EveryRequestEvent_OfALifecycle_IsHandedOver_InOrder()
    {
        var outbox = new TestOutbox();
        await using var harness = await CreateAsync(outbox);

        var grant = await harness.ApprovedAsync();
        await harness.Grants.RevokeAsync(ServiceHarness.Approver1, grant.Id, "The customer closed the case.");
        var lapsing = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());
        harness.Time.Advance(TimeSpan.FromDays(2));
        await harness.Grants.ExpireDueAsync(harness.Time.GetUtcNow());

        Assert.Equal(
            ["AccessRequest.Filed", "AccessRequest.InternalApproved", "AccessRequest.CustomerApproved", "AccessRequest.Revoked", "AccessRequest.Filed", "AccessRequest.Expired"],
            outbox.Received.Select(r => r.Message.Type));
        Assert.All(outbox.Received, r => Assert.True(r.InTransaction));
        Assert.Equal(lapsing.Id.ToString(), outbox.Received[^1].Message.SubjectId);
        Assert.Equal(6, (await outbox.StoredAsync(harness)).Count);
    }

    [Fact]
    public async Task ARolledBackOperation_LeavesNoMessage_AndNoChange()
    {
        var outbox = new TestOutbox { FailFirst = () => new InvalidOperationException("the operation failed after handing over") };
        await using var harness = await CreateAsync(outbox);

        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput()));

        Assert.Single(outbox.Received);
        Assert.Empty(await outbox.StoredAsync(harness));
        await using var db = harness.NewContext();
        Assert.False(await db.AccessRequests.AnyAsync());
        Assert.False(await db.AuditEntries.AnyAsync(e => e.EventType == AuditEventType.AccessRequest_Filed));
    }

    [Fact]
    public async Task AnOperationRunAgainAfterALostRace_LeavesOneMessage()
    {
        var outbox = new TestOutbox { FailFirst = () => new DbUpdateConcurrencyException("another writer saved first") };
        await using var harness = await CreateAsync(outbox);

        var filed = await harness.Requests.FileAsync(ServiceHarness.Engineer, harness.ValidInput());

        Assert.Equal(2, outbox.Received.Count);
        Assert.Equal([filed.Id.ToString()], await outbox.StoredAsync(harness));
    }

    [Fact]
    public async Task TheImplementation_IsTheOutbox()
    {
        await using var harness = await ServiceHarness.CreateAsync();

        Assert.IsType<LockboxPortal.Features.Notifications.Outbox>(harness.Services.GetRequiredService<IOutboundMessages>());
    }

    private static async Task<ServiceHarness> CreateAsync(TestOutbox outbox)
    {
        var harness = await ServiceHarness.CreateAsync(services => services.AddSingleton<IOutboundMessages>(outbox));
        await using var db = harness.NewContext();
        await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
            ? "CREATE TABLE \"TestOutbox\" (\"Seq\" bigserial PRIMARY KEY, \"Type\" text NOT NULL, \"SubjectId\" text NOT NULL)"
            : "CREATE TABLE TestOutbox (Seq INTEGER PRIMARY KEY AUTOINCREMENT, Type TEXT NOT NULL, SubjectId TEXT NOT NULL)");
        return harness;
    }

    /// <summary>
    /// What an outbox will do: write each message as a row on the operation's own context, so it commits or rolls
    /// back with the change. It can fail its first hand-over, as a later step of the operation would.
    /// </summary>
    private sealed class TestOutbox : IOutboundMessages
    {
        public Func<Exception>? FailFirst { get; init; }

        public List<(OutboundMessage Message, bool InTransaction)> Received { get; } = [];

        public async Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
        {
            Received.Add((message, db.Database.CurrentTransaction is not null));
            await db.Database.ExecuteSqlAsync($"""INSERT INTO "TestOutbox" ("Type", "SubjectId") VALUES ({message.Type}, {message.SubjectId})""", cancellationToken);
            if (Received.Count == 1 && FailFirst is { } fail)
            {
                throw fail();
            }
        }

        public async Task<List<string>> StoredAsync(ServiceHarness harness)
        {
            await using var db = harness.NewContext();
            return await db.Database.SqlQueryRaw<string>("""SELECT "SubjectId" AS "Value" FROM "TestOutbox" ORDER BY "Seq" """).ToListAsync();
        }
    }
}
