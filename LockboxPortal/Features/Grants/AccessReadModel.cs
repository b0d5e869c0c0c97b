using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Grants;

/// <summary>
/// The access check's read model on this node, so an allowed check reads no storage: per tenant and engineer the
/// candidate requests (from <see cref="StoredAccessCandidates"/>), and per engineer their standing, each read from
/// storage once and then kept. Kept current from the committed events: a request event forgets its engineer's
/// candidates in its tenant, a <see cref="DirectoryChange"/> forgets the person's standing, and a node that may have
/// missed events forgets everything; while the link between nodes is down (Redis unreachable) every check reads
/// storage, since another node's change would not be heard. The node that made a change forgets before its operation returns (the event
/// reaches this node's subscribers inside the publisher's call); the others when they hear it, within a second.
/// </summary>
/// <remarks>
/// What is kept is storage's answer, never a decision: <see cref="AccessDecision.Evaluate"/> still decides every
/// check against the clock, so a grant past its end refuses whether or not the timer has closed it yet. A change
/// made in storage by something other than the portal's services publishes no event: it is seen once the kept
/// answer is older than <see cref="ReadAgainAfter"/> (decision 0017).
/// </remarks>
public sealed class AccessReadModel : IAccessCandidateSource, IDisposable
{
    /// <summary>How long a kept answer is used before storage is asked again.</summary>
    public static readonly TimeSpan ReadAgainAfter = TimeSpan.FromSeconds(5);

    /// <summary>Bounds memory when many engineers are checked; past it the model starts again from storage.</summary>
    private const int Capacity = 50_000;

    private readonly StoredAccessCandidates _stored;
    private readonly IDbContextFactory<LockboxDbContext> _dbFactory;
    private readonly KeptAnswers<(Guid Tenant, string Engineer), IReadOnlyList<AccessRequest>> _candidates;
    private readonly KeptAnswers<string, EngineerStanding> _standings;
    private readonly IEventTransport _transport;
    private readonly IDisposable[] _subscriptions;

    public AccessReadModel(
        StoredAccessCandidates stored, IDbContextFactory<LockboxDbContext> dbFactory, IEventTransport transport, RequestNotifier requests, DirectoryNotifier directory, TimeProvider time)
    {
        _transport = transport;
        _stored = stored;
        _dbFactory = dbFactory;
        _candidates = new KeptAnswers<(Guid, string), IReadOnlyList<AccessRequest>>(time, ReadAgainAfter, Capacity);
        _standings = new KeptAnswers<string, EngineerStanding>(time, ReadAgainAfter, Capacity);
        _subscriptions =
        [
            requests.Subscribe(change =>
            {
                if (!change.Kind.IsActivity())
                {
                    _candidates.Forget((change.TenantId, change.RequesterId));
                }

                return Task.CompletedTask;
            }),
            directory.Subscribe(change =>
            {
                _standings.Forget(change.UserId);
                return Task.CompletedTask;
            }),
            requests.OnMissedEvents(ForgetAllAsync),
            directory.OnMissedEvents(ForgetAllAsync),
        ];
    }

    public Task<IReadOnlyList<AccessRequest>> FindAsync(Guid tenantId, string engineerId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _candidates.GetAsync((tenantId, engineerId), _transport.HearsEveryEvent, key => _stored.FindAsync(key.Tenant, key.Engineer, now, cancellationToken));

    /// <summary>Whether the person is an active engineer of the provider.</summary>
    public Task<EngineerStanding> StandingAsync(string engineerId, CancellationToken cancellationToken) =>
        _standings.GetAsync(engineerId, _transport.HearsEveryEvent, async id =>
        {
            await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
            var person = await db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new { u.IsActive, IsEngineer = db.Memberships.Any(m => m.UserId == u.Id && m.TenantId == null && m.Role == PortalRole.Engineer) })
                .SingleOrDefaultAsync(cancellationToken);
            return person switch
            {
                null or { IsActive: false } => EngineerStanding.Deactivated,
                { IsEngineer: false } => EngineerStanding.NotAnEngineer,
                _ => EngineerStanding.Engineer,
            };
        });

    private Task ForgetAllAsync()
    {
        _candidates.ForgetAll();
        _standings.ForgetAll();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
