using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Features.Approvers;

/// <summary>
/// Who the tenant's security officers are is governed like its policy: under the two-person rule, giving or taking the
/// SecurityOfficer role is a proposal a second officer approves, or one officer could appoint a second of his own and
/// approve his own changes through him. Without a second officer's approval an officer joins only while the tenant has
/// fewer than two active officers (the way out when the other officer left), and no approved removal leaves the rule
/// with fewer than two (docs/decisions/0015-two-person-rule.md).
/// </summary>
public sealed partial class ApproverListService
{
    /// <summary>Makes a member of the tenant one of its security officers; applied, or proposed under the two-person rule.</summary>
    public async Task<ChangeOutcome> AppointOfficerAsync(System.Security.Claims.ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        var outcome = await GovernAsync(principal, tenantId, new GovernedChange.AppointOfficer(userId), cancellationToken);
        await PublishPersonAsync(userId, outcome);
        return outcome;
    }

    /// <summary>Takes the SecurityOfficer role away; applied, or proposed under the two-person rule.</summary>
    public async Task<ChangeOutcome> RemoveOfficerAsync(System.Security.Claims.ClaimsPrincipal principal, Guid tenantId, string userId, CancellationToken cancellationToken = default)
    {
        var outcome = await GovernAsync(principal, tenantId, new GovernedChange.RemoveOfficer(userId), cancellationToken);
        await PublishPersonAsync(userId, outcome);
        return outcome;
    }

    /// <summary>The message a lone officer's own appointment of a second officer carries in the trail.</summary>
    internal const string AloneNote = "The two-person rule is on and the appointing officer was the tenant's only active security officer.";

    private async Task<ChangeEffect> RunOfficerChangeAsync(
        LockboxDbContext db, ActingUser user, Guid tenantId, GovernedChange change, bool apply, object? twoPerson, CancellationToken cancellationToken)
    {
        var before = await GovernedState.ActiveOfficersAsync(db, tenantId, cancellationToken);
        switch (change)
        {
            case GovernedChange.AppointOfficer(var userId):
            {
                var (person, memberships) = await MembershipChanges.MemberAsync(db, userId, tenantId, cancellationToken);
                if (!person.IsActive)
                {
                    throw new PeopleRuleException("This person's account is deactivated.");
                }

                if (memberships.Any(m => m.Role == PortalRole.SecurityOfficer))
                {
                    throw new PeopleRuleException($"{person.ToActor().DisplayName} already holds SecurityOfficer here.");
                }

                var after = before.Append(person.ToActor()).OrderBy(a => a.DisplayName, StringComparer.CurrentCulture).ToList();
                if (apply)
                {
                    db.Memberships.Add(new Membership(person.Id, tenantId, PortalRole.SecurityOfficer));
                    AccountRules.ChangeSecurityStamp(person);
                    await audit.AppendAsync(db, new AuditRecord(AuditEventType.Membership_Granted, user.Actor, tenantId, AdministrationResource.PersonSubject, person.Id,
                        AuditRecord.Details(new { Role = nameof(PortalRole.SecurityOfficer), Before = before, After = after, TwoPerson = twoPerson }), Client: user.Client), cancellationToken);
                }

                return new ChangeEffect($"Make {person.ToActor().DisplayName} a security officer", [new("Security officers", Names(before), Names(after))]);
            }

            case GovernedChange.RemoveOfficer(var userId):
            {
                var (person, memberships) = await MembershipChanges.MemberAsync(db, userId, tenantId, cancellationToken);
                var membership = memberships.SingleOrDefault(m => m.Role == PortalRole.SecurityOfficer)
                    ?? throw new PeopleRuleException($"{person.ToActor().DisplayName} does not hold SecurityOfficer here.");
                var after = before.Where(a => a.UserId != person.Id).ToList();
                if (person.IsActive && after.Count == 0)
                {
                    throw new PeopleRuleException($"{person.ToActor().DisplayName} is the last SecurityOfficer of this tenant; appoint another first.");
                }

                var policy = await PolicyOfAsync(db, tenantId, cancellationToken);
                if (policy.RequireSecondOfficer && person.IsActive && after.Count < 2)
                {
                    throw new PeopleRuleException(
                        $"The two-person rule needs two active security officers, and without {person.ToActor().DisplayName} only {Names(after)} would be left. " +
                        "Appoint another security officer first, or propose turning the rule off.");
                }

                if (apply)
                {
                    await MembershipChanges.RemoveAsync(db, audit, user.Actor, user.Client, person, tenantId, [membership], through: null, cancellationToken);
                }

                return new ChangeEffect($"Remove {person.ToActor().DisplayName} as a security officer", [new("Security officers", Names(before), Names(after))]);
            }

            default:
                throw new InvalidOperationException($"Not an officer change: '{change.GetType().Name}'.");
        }
    }

    /// <summary>The person whose SecurityOfficer role a change gives or takes, if it is such a change.</summary>
    private static string? OfficerOf(GovernedChange change) => change switch
    {
        GovernedChange.AppointOfficer(var userId) => userId,
        GovernedChange.RemoveOfficer(var userId) => userId,
        _ => null,
    };

    /// <summary>After a role applied: the person's open hub connections and pages re-read what they may do.</summary>
    private async Task PublishPersonAsync(string userId, ChangeOutcome outcome)
    {
        if (outcome == ChangeOutcome.Applied)
        {
            await directory.PublishAsync(new DirectoryChange(userId, time.GetUtcNow()));
        }
    }
}
