using LockboxPortal.Features.Approvers;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using LockboxPortal.Tests.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Approvers;

/// <summary>
/// When fewer than quorum + 1 approvers can decide, the tenant's security officers are emailed once per drop and the
/// trail records it; the watch looks again after the operations that change who can decide.
/// </summary>
public sealed class QuorumWatchTests
{
    private const string ContosoOfficerEmail = $"{Cast.ContosoOfficer}@test";

    /// <summary>Completes with the watch's next look that matches. Subscribe before causing it.</summary>
    private static Task<QuorumLook> NextLookAsync(QuorumWatch watch, Func<QuorumLook, bool> match)
    {
        var looked = new TaskCompletionSource<QuorumLook>(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<QuorumLook>? handler = null;
        handler = look =>
        {
            if (match(look))
            {
                watch.Looked -= handler;
                looked.TrySetResult(look);
            }
        };
        watch.Looked += handler;

        // A guard against a hung test, not a wait for time to pass.
        return looked.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task<List<(string Level, string Actor)>> RecordedAsync(ServiceHarness harness, Guid tenantId)
    {
        await using var db = harness.NewContext();
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.ChainId == tenantId && (e.EventType == AuditEventType.Quorum_AtRisk || e.EventType == AuditEventType.Quorum_Restored))
            .OrderBy(e => e.Sequence).ToListAsync();
        return entries.Select(e => (System.Text.Json.JsonDocument.Parse(e.DetailsJson).RootElement.GetProperty("level").GetString()!, e.ActorId)).ToList();
    }

    /// <summary>The quorum warnings received about <paramref name="tenantName"/>, in the order sent.</summary>
    private static List<TestSmtpServer.Received> Warnings(EmailHarness email, string tenantName) =>
        email.Smtp.Messages
            .Where(m => m.Message.Headers["X-Lockbox-Event"] == QuorumWatch.MessageType && (m.Message.Subject ?? "").StartsWith(tenantName + ":", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public async Task DeactivatingApprovers_DownToTheQuorum_EmailsTheOfficers_OncePerDrop_AndTheTrailKeepsIt()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        await harness.SetPolicyAsync(harness.Contoso, p => p with { RequiredApprovals = 2 });
        var watch = harness.Services.GetRequiredService<QuorumWatch>();
        var people = harness.Services.GetRequiredService<PeopleService>();
        var contosoRecorded = (Func<QuorumLook, bool>)(l => l.Recorded.Contains(harness.Contoso));
        var startUp = NextLookAsync(watch, _ => true);
        await watch.StartAsync(CancellationToken.None);
        try
        {
            // At start-up every tenant is looked at: three of Contoso's approvers for a quorum of two is healthy;
            // Northwind's one approver for a quorum of one is one absence from stopping approvals.
            var first = await startUp;
            Assert.Contains(harness.Contoso, first.Looked);
            Assert.Equal([harness.Northwind], first.Warned);
            Assert.Empty(await RecordedAsync(harness, harness.Contoso));

            var atRisk = NextLookAsync(watch, contosoRecorded);
            await people.DeactivateAsync(ServiceHarness.ContosoOfficer, Cast.Approver3);
            Assert.Contains(harness.Contoso, (await atRisk).Warned);

            // Looking again without a change records and sends nothing more.
            Assert.Empty((await watch.LookAsync(null)).Recorded);

            // Deactivating one more is refused (the quorum must stay reachable), so it changes nothing to warn about.
            await Assert.ThrowsAsync<PeopleRuleException>(() => people.DeactivateAsync(ServiceHarness.ContosoOfficer, Cast.Approver2));

            // A TenantAdmin joins the list: healthy again, recorded as restored, and nobody is mailed about a rise.
            var restored = NextLookAsync(watch, contosoRecorded);
            await harness.ApproverList.AddApproverAsync(ServiceHarness.ContosoOfficer, harness.Contoso, Cast.ContosoAdminNotApprover);
            Assert.Empty((await restored).Warned);

            // The next drop warns again.
            var again = NextLookAsync(watch, contosoRecorded);
            await people.DeactivateAsync(ServiceHarness.ContosoOfficer, Cast.ContosoAdminNotApprover);
            Assert.Contains(harness.Contoso, (await again).Warned);
        }
        finally
        {
            await watch.StopAsync(CancellationToken.None);
        }

        var system = Actor.System.UserId;
        Assert.Equal([("AtRisk", system), ("Healthy", system), ("AtRisk", system)], await RecordedAsync(harness, harness.Contoso));
        await using (var db = harness.NewContext())
        {
            var entries = await db.AuditEntries.AsNoTracking().Where(e => e.ChainId == harness.Contoso && (e.EventType == AuditEventType.Quorum_AtRisk || e.EventType == AuditEventType.Quorum_Restored))
                .OrderBy(e => e.Sequence).ToListAsync();
            Assert.Equal(
                ["Too few approvers can decide in Contoso: 2 can, 2 needed", "Enough approvers can decide in Contoso again: 3 can, 2 needed"],
                entries.Take(2).Select(e => AuditSentence.Of(e, "Contoso").Text));
        }


        await email.DispatchAsync();
        var contoso = Warnings(email, "Contoso");
        Assert.Equal([ContosoOfficerEmail, ContosoOfficerEmail], contoso.Select(w => w.To));
        Assert.All(contoso, w => Assert.Equal("Contoso: one more absence stops approvals", w.Message.Subject));
        Assert.Equal([$"{Cast.NorthwindOfficer}@test"], Warnings(email, "Northwind").Select(w => w.To));
        Assert.Contains("2 of Contoso's approvers can decide right now and requests need 2", contoso[0].Text);
        foreach (var part in new[] { contoso[0].Text, contoso[0].Html })
        {
            Assert.Contains(Cast.Approver2, part);
            Assert.Contains("Can decide", part);
            Assert.DoesNotContain(Cast.Approver3, part);
            Assert.Contains($"{EmailHarness.PublicUrl}/tenants/{harness.Contoso}/policy", part);
        }
    }

    [Fact]
    public async Task RequiringTwoFactor_WhenNoApproverIsEnrolled_WarnsAtOnce_AndEnoughApproversAgainIsRecordedAsRestored()
    {
        await using var email = await EmailHarness.CreateAsync();
        var harness = email.Services;
        var watch = harness.Services.GetRequiredService<QuorumWatch>();
        var startUp = NextLookAsync(watch, _ => true);
        await watch.StartAsync(CancellationToken.None);
        try
        {
            await startUp;
            var unmet = NextLookAsync(watch, l => l.Recorded.Contains(harness.Contoso));
            var policy = harness.CurrentPolicy(harness.Contoso);
            await harness.ApproverList.ChangePolicyAsync(ServiceHarness.WithSecondFactor(Cast.ContosoOfficer), harness.Contoso, policy with { RequireTwoFactor = true });
            Assert.Contains(harness.Contoso, (await unmet).Warned);

            var restored = NextLookAsync(watch, l => l.Recorded.Contains(harness.Contoso));
            await harness.ApproverList.ChangePolicyAsync(ServiceHarness.WithSecondFactor(Cast.ContosoOfficer), harness.Contoso, policy with { RequireTwoFactor = false });
            Assert.DoesNotContain(harness.Contoso, (await restored).Warned);
        }
        finally
        {
            await watch.StopAsync(CancellationToken.None);
        }

        Assert.Equal(["Unmet", "Healthy"], (await RecordedAsync(harness, harness.Contoso)).Select(r => r.Level));
        await email.DispatchAsync();
        var warning = Assert.Single(Warnings(email, "Contoso"));
        Assert.Equal("Contoso: no request can be approved now", warning.Message.Subject);
        Assert.Contains("Cannot decide: no second factor", warning.Text);
    }
}
