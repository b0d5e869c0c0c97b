using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Grants;
using static LockboxPortal.Tests.AccessRequests.RequestBuilder;

namespace LockboxPortal.Tests.Grants;

/// <summary>
/// Over random timelines (seeded, so a failure replays): whatever happens to a grant (revoked, released, ended by the
/// timer, an extension approved or not, the engineer's other requests beside it, any scope beneath it), the access
/// decision never allows it once it is past its end, revoked or released, and always allows it while it runs untouched.
/// Where the candidates come from (storage, or a read model later) does not matter: this is the decision itself.
/// </summary>
public sealed class AccessTimelinePropertyTests
{
    private const int Timelines = 3_000;

    private static readonly RequestStatus[] Beside =
    [
        RequestStatus.PendingInternal, RequestStatus.PendingCustomer, RequestStatus.Rejected, RequestStatus.Cancelled,
        RequestStatus.Expired, RequestStatus.Completed, RequestStatus.Revoked,
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AGrantPastItsEnd_Revoked_OrReleased_NeverAllows_AndAnUntouchedOneAllowsWhileItRuns(int seed)
    {
        var random = new Random(seed);
        var allowedSeen = 0;
        for (var timeline = 0; timeline < Timelines; timeline++)
        {
            var grant = Approved();
            var window = grant.GrantEndsAt!.Value - grant.GrantStartsAt!.Value;
            var extended = random.Next(4) == 0;
            if (extended)
            {
                grant.ExtendGrant(ApprovedExtensionOf(grant), Features.Tenants.TenantPolicy.Default, grant.GrantStartsAt.Value.AddMinutes(2));
            }

            // What happens to it: nothing yet, revoked or released at a moment inside its window, or ended by the timer.
            var happened = random.Next(4);
            var at = grant.GrantStartsAt.Value + TimeSpan.FromTicks((long)(random.NextDouble() * (grant.GrantEndsAt!.Value - grant.GrantStartsAt.Value).Ticks));
            var end = grant.GrantEndsAt.Value;
            switch (happened)
            {
                case 1:
                    grant.Revoke(Officer, "Ticket closed.", at);
                    break;
                case 2:
                    grant.Release(Requester, at);
                    break;
                case 3:
                    grant.Complete(end.AddSeconds(random.Next(0, 120)));
                    break;
            }

            var candidates = new List<AccessRequest> { grant };
            for (var other = random.Next(0, 4); other > 0; other--)
            {
                candidates.Add(InState(Beside[random.Next(Beside.Length)]));
            }

            Shuffle(random, candidates);
            var scope = random.Next(2) == 0 ? DefaultScope : DefaultScope + "/folder" + random.Next(10);
            var query = new AccessQuery(Contoso, Requester.UserId, ResourceScope.Parse(scope), AccessLevel.Read);

            for (var probe = 0; probe < 8; probe++)
            {
                var now = FiledAt + TimeSpan.FromTicks((long)(random.NextDouble() * (end - FiledAt + window).Ticks));
                var verdict = AccessDecision.Evaluate(query, EngineerStanding.Engineer, candidates, now);
                var closed = grant.Status != RequestStatus.Approved;
                var runs = !closed && now >= grant.GrantStartsAt.Value && now < grant.GrantEndsAt!.Value;
                if (closed || now >= grant.GrantEndsAt!.Value || now < grant.GrantStartsAt.Value)
                {
                    Assert.False(verdict.IsAllowed, $"seed {seed}, timeline {timeline}: {grant.Status} (ends {grant.GrantEndsAt:O}) allowed at {now:O}");
                }
                else
                {
                    Assert.True(runs && verdict.IsAllowed, $"seed {seed}, timeline {timeline}: a running grant refused at {now:O} ({verdict.Reason})");
                    allowedSeen++;
                }

                // Whoever stops being an engineer is refused whatever the grant says.
                Assert.False(AccessDecision.Evaluate(query, EngineerStanding.Deactivated, candidates, now).IsAllowed);
            }
        }

        // The timelines did reach running grants, so the refusals above are not all there is.
        Assert.InRange(allowedSeen, Timelines / 10, Timelines * 8);
    }

    private static void Shuffle(Random random, List<AccessRequest> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
