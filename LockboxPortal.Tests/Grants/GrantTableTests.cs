using Bunit;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.AccessRequests.Live;
using LockboxPortal.Features.Grants;
using LockboxPortal.Features.Grants.Components;
using LockboxPortal.Tests.AccessRequests.Live;
using Microsoft.Extensions.Time.Testing;

namespace LockboxPortal.Tests.Grants;

/// <summary>The grant table: an approved grant whose scheduled start is ahead says when it opens, and turns into a countdown of its end when it does.</summary>
public sealed class GrantTableTests
{
    [Fact]
    public async Task AScheduledGrant_SaysWhenItOpens_AndCountsDownItsEndOnceOpen()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var context = ComponentTestContext.Create(time);
        context.ComponentFactories.AddStub<LiveRefresh>();
        var now = time.GetUtcNow();
        IReadOnlyList<ActiveGrant> grants =
        [
            new(Guid.NewGuid(), "LBX-2026-000001", Guid.NewGuid(), "Contoso", "Eve Engineer", "Exchange:mailbox/ana@contoso.com", AccessLevel.Read, now.AddMinutes(-5), now.AddHours(1)),
            new(Guid.NewGuid(), "LBX-2026-000002", Guid.NewGuid(), "Contoso", "Eve Engineer", "Sql:database/orders", AccessLevel.Read, now.AddMinutes(2), now.AddMinutes(62)),
        ];

        var table = context.Render<GrantTable>(p => p
            .Add(t => t.Load, () => Task.FromResult(grants))
            .Add(t => t.Act, _ => Task.CompletedTask)
            .Add(t => t.ActionLabel, "Revoke")
            .Add(t => t.ActionTestId, "revoke"));

        table.WaitForAssertion(() => Assert.Equal(2, table.FindAll("tbody tr").Count));
        var rows = table.FindAll("tbody tr");
        Assert.Empty(rows[0].QuerySelectorAll("[data-testid=scheduled]"));
        Assert.Contains("1 h 00 min 00 s left", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Scheduled: opens", rows[1].QuerySelector("[data-testid=scheduled]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("2 min", rows[1].TextContent, StringComparison.Ordinal);

        await table.InvokeAsync(() => time.Advance(TimeSpan.FromMinutes(2)));

        table.WaitForAssertion(() => Assert.Empty(table.FindAll("[data-testid=scheduled]")));
        Assert.Contains("1 h 00 min 00 s left", table.FindAll("tbody tr")[1].TextContent, StringComparison.Ordinal);
    }
}
