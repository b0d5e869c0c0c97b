using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using LockboxPortal.Hosting;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Hosting;

public sealed class DemoDataTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    [Fact]
    public async Task DemoRequests_CarryTheirHistoryInTheTrail_AndEveryChainVerifies()
    {
        portal.Factory.CreateClient().Dispose();
        await using var db = portal.Factory.Services.GetRequiredService<IDbContextFactory<LockboxDbContext>>().CreateDbContext();
        var requests = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).ToListAsync();
        Assert.Contains(requests, r => r.Status == RequestStatus.PendingInternal);
        Assert.Contains(requests, r => r.Status == RequestStatus.PendingCustomer);
        Assert.Contains(requests, r => r.Status == RequestStatus.Approved);
        Assert.Contains(requests, r => r.Status == RequestStatus.Rejected);

        foreach (var request in requests)
        {
            var history = await db.AuditEntries.AsNoTracking().Where(e => e.SubjectId == request.Id.ToString()).OrderBy(e => e.Sequence).ToListAsync();
            Assert.Equal(AuditEventType.AccessRequest_Filed, history[0].EventType);
            Assert.Equal(request.Decisions.OrderBy(d => d.DecidedAt).Select(d => d.DeciderId), history.Skip(1).Take(request.Decisions.Count).Select(e => e.ActorId));
            Assert.Equal(request.Status == RequestStatus.Approved, history.Any(e => e.EventType == AuditEventType.Grant_Opened));
        }

        var store = portal.Factory.Services.GetRequiredService<AuditReader>();
        foreach (var chain in new[] { DemoData.ContosoId, DemoData.NorthwindId })
        {
            var verification = await store.VerifyAsync(chain);
            Assert.True(verification.IsIntact, verification.ToString());
        }
    }
}
