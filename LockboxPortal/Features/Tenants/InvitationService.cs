using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

public sealed record InviteInput(string? Email, string? DisplayName, Guid? TenantId, PortalRole Role);

/// <summary>A new invitation and its link. The token is in the link only: storage keeps its hash.</summary>
public sealed record CreatedInvitation(Guid Id, string Email, PortalRole Role, string Link, DateTimeOffset ExpiresAt);

public sealed record InvitationRow(
    Guid Id, string Email, string DisplayName, Guid? TenantId, PortalRole Role, InvitationStatus Status,
    string InvitedByName, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? AcceptedAt);

/// <summary>What the invitee sees before accepting.</summary>
public sealed record InvitationPreview(string Email, string DisplayName, string Where, PortalRole Role, bool AccountExists, DateTimeOffset ExpiresAt);

public sealed record AcceptInput(string? Token, string? DisplayName, string? Password, string? ConfirmPassword);

/// <summary>
/// Invitations: a one-time link, valid for 72 hours, that lets a person set their own password and take one role.
/// The provider admin invites provider staff and a tenant's first security officer; an officer invites the
/// tenant's admins and officers (see <see cref="AdministrationAuthorizationHandler"/>).
/// </summary>
public sealed class InvitationService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    OperationGate gate,
    AccountRules accounts,
    AuditWriter audit,
    TimeProvider time)
{
    public const string AcceptPath = "/invitations/accept";
    private const string Subject = AdministrationResource.InvitationSubject;

    public Task<CreatedInvitation> InviteAsync(ClaimsPrincipal principal, InviteInput input, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var hasOfficer = input.TenantId is not { } tenantId || await RoleHolders.HasActiveOfficerAsync(db, tenantId, null, cancellationToken);
            await gate.EnsureAsync(principal,
                new AdministrationResource(user, input.TenantId, input.Role, hasOfficer) { SubjectType = Subject, SubjectId = input.Email ?? "" },
                AdministrationOperations.Invite, cancellationToken, input.Role.ToString());

            var errors = new Dictionary<string, string[]>();
            var email = accounts.CleanEmail(input.Email);
            var displayName = CleanDisplayName(input.DisplayName);
            if (displayName is null)
            {
                errors[nameof(InviteInput.DisplayName)] = [DisplayNameRule];
            }

            if (input.TenantId is { } id && !await db.Tenants.AnyAsync(t => t.Id == id && t.IsActive, cancellationToken))
            {
                errors[nameof(InviteInput.TenantId)] = ["Choose an active tenant."];
            }
            else if (input is { TenantId: { } officerOf, Role: PortalRole.SecurityOfficer } && await GovernedOfficerSeatAsync(db, officerOf, null, cancellationToken) is { } governed)
            {
                errors[nameof(InviteInput.Role)] = [governed +
                    " Invite them with another role (TenantAdmin, say), then give them the SecurityOfficer role on the People page: a second officer approves that."];
            }

            if (email is null)
            {
                errors[nameof(InviteInput.Email)] = ["Enter a valid email address."];
            }
            else if (await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == accounts.NormalizeEmail(email), cancellationToken) is { } existing)
            {
                if (!existing.IsActive)
                {
                    errors[nameof(InviteInput.Email)] = ["This person's account is deactivated."];
                }
                else if (await db.Memberships.AnyAsync(m => m.UserId == existing.Id && m.TenantId == input.TenantId && m.Role == input.Role, cancellationToken))
                {
                    errors[nameof(InviteInput.Email)] = [$"This person already holds {input.Role} here."];
                }
            }

            if (errors.Count > 0)
            {
                throw new InvalidInputException(errors);
            }

            var (token, hash) = SecretToken.Create();
            var invitation = new Invitation(hash, email!, displayName!, input.TenantId, input.Role, user.Actor, time.GetUtcNow());
            db.Invitations.Add(invitation);
            await audit.AppendAsync(db, Record(AuditEventType.Invitation_Created, user.Actor, invitation, new
            {
                invitation.Email,
                invitation.DisplayName,
                Role = invitation.Role.ToString(),
                invitation.ExpiresAt,
            }, user.Client), cancellationToken);
            return new CreatedInvitation(invitation.Id, invitation.Email, invitation.Role, $"{AcceptPath}?token={token}", invitation.ExpiresAt);
        }, cancellationToken);

    /// <summary>The invitations of the provider (<paramref name="tenantId"/> null) or of one tenant, newest first.</summary>
    public async Task<IReadOnlyList<InvitationRow>> ListAsync(ClaimsPrincipal principal, Guid? tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await gate.ActingUserAsync(db, principal, cancellationToken);
        await gate.EnsureAsync(principal, new AdministrationResource(user, tenantId) { SubjectType = Subject }, AdministrationOperations.ViewPeople, cancellationToken);

        var now = time.GetUtcNow();
        var invitations = await db.Invitations.AsNoTracking().Where(i => i.TenantId == tenantId).OrderByDescending(i => i.CreatedAt).Take(500).ToListAsync(cancellationToken);
        return invitations
            .Select(i => new InvitationRow(i.Id, i.Email, i.DisplayName, i.TenantId, i.Role, i.StatusAt(now), i.InvitedByName, i.CreatedAt, i.ExpiresAt, i.AcceptedAt))
            .ToList();
    }

    /// <summary>Whoever may issue such an invitation, or the person who issued it, may revoke it while it is pending.</summary>
    public Task RevokeAsync(ClaimsPrincipal principal, Guid invitationId, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var user = await gate.ActingUserAsync(db, principal, cancellationToken);
            var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId, cancellationToken)
                ?? throw new NotFoundException("invitation");
            var hasOfficer = invitation.TenantId is not { } tenantId || await RoleHolders.HasActiveOfficerAsync(db, tenantId, null, cancellationToken);
            var resource = new AdministrationResource(user, invitation.TenantId, invitation.Role, hasOfficer)
            {
                SubjectType = Subject,
                SubjectId = invitation.Id.ToString(),
                Invitation = invitation,
            };
            await gate.EnsureAsync(principal, resource, AdministrationOperations.RevokeInvitation, cancellationToken, invitation.Role.ToString());

            invitation.Revoke(user.Actor, time.GetUtcNow());
            await audit.AppendAsync(db, Record(AuditEventType.Invitation_Revoked, user.Actor, invitation,
                new { invitation.Email, Role = invitation.Role.ToString() }, user.Client), cancellationToken);
        }, cancellationToken);

    /// <summary>For the acceptance page: what this link offers, or why it cannot be used.</summary>
    public async Task<InvitationPreview> PreviewAsync(string? token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitation = await FindAsync(db, token, cancellationToken);
        var status = invitation.StatusAt(time.GetUtcNow());
        if (status != InvitationStatus.Pending)
        {
            throw new InvitationNotUsableException(status);
        }

        var where = invitation.TenantId is { } tenantId
            ? await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(cancellationToken)
            : "the provider";
        var exists = await db.Users.AnyAsync(u => u.NormalizedEmail == accounts.NormalizeEmail(invitation.Email), cancellationToken);
        await EnsureOfficerSeatOpenAsync(db, invitation, null, cancellationToken);
        return new InvitationPreview(invitation.Email, invitation.DisplayName, where, invitation.Role, exists, invitation.ExpiresAt);
    }

    /// <summary>
    /// Uses the invitation: a new person sets their password; someone who already has an account (an operator of
    /// several tenants) proves it with theirs. Either way they get the role, once. Returns the account's email.
    /// </summary>
    public async Task<string> AcceptAsync(AcceptInput input, CancellationToken cancellationToken = default)
    {
        try
        {
            return await AcceptOnceAsync(input, cancellationToken);
        }
        catch (WrongPasswordException wrong)
        {
            // The link must not become a way around sign-in lockout: a wrong password counts as a failed sign-in.
            await accounts.RecordFailedPasswordAsync(transactions, wrong.UserId, cancellationToken);
            throw InvalidInputException.For(AccountRules.PasswordField, "You already have an account: enter its password to accept.");
        }
    }

    private Task<string> AcceptOnceAsync(AcceptInput input, CancellationToken cancellationToken) =>
        transactions.RunAsync(async db =>
        {
            var invitation = await FindAsync(db, input.Token, cancellationToken);
            var now = time.GetUtcNow();
            var status = invitation.StatusAt(now);
            if (status != InvitationStatus.Pending)
            {
                throw new InvitationNotUsableException(status);
            }

            if (invitation.TenantId is { } tenantId && !await db.Tenants.AnyAsync(t => t.Id == tenantId && t.IsActive, cancellationToken))
            {
                throw new InvitationNotUsableException(null);
            }

            var person = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == accounts.NormalizeEmail(invitation.Email), cancellationToken);
            if (person is null)
            {
                var displayName = CleanDisplayName(input.DisplayName ?? invitation.DisplayName)
                    ?? throw InvalidInputException.For(nameof(AcceptInput.DisplayName), DisplayNameRule);
                person = accounts.NewUser(invitation.Email, displayName);
                await accounts.EnsureStrongAsync(person, input.Password);
                if (!string.Equals(input.Password, input.ConfirmPassword, StringComparison.Ordinal))
                {
                    throw InvalidInputException.For(nameof(AcceptInput.ConfirmPassword), "The two passwords differ.");
                }

                accounts.SetPassword(person, input.Password!);
                db.Users.Add(person);
            }
            else if (!person.IsActive)
            {
                throw new InvitationNotUsableException(null);
            }
            else if (person.LockoutEnd > now)
            {
                throw InvalidInputException.For(AccountRules.PasswordField, "This account is locked for now after failed sign-ins; try again later.");
            }
            else if (!accounts.VerifyPassword(person, input.Password))
            {
                throw new WrongPasswordException(person.Id);
            }

            await EnsureOfficerSeatOpenAsync(db, invitation, person.Id, cancellationToken);
            invitation.Accept(person.Id, now);
            if (!await db.Memberships.AnyAsync(m => m.UserId == person.Id && m.TenantId == invitation.TenantId && m.Role == invitation.Role, cancellationToken))
            {
                db.Memberships.Add(new Membership(person.Id, invitation.TenantId, invitation.Role));
            }

            // A new role changes what the cookie says; other sessions pick it up at their next validation.
            AccountRules.ChangeSecurityStamp(person);
            var actor = person.ToActor();
            await audit.AppendAsync(db, Record(AuditEventType.Invitation_Accepted, actor, invitation,
                new { invitation.Email, Role = invitation.Role.ToString(), InvitedBy = invitation.InvitedByName }, null), cancellationToken);
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Membership_Granted, actor, invitation.TenantId, "User", person.Id,
                AuditRecord.Details(new { Role = invitation.Role.ToString(), Through = "invitation", InvitationId = invitation.Id })), cancellationToken);
            return invitation.Email;
        }, cancellationToken);

    /// <summary>
    /// Under a tenant's two-person rule an officer joins without a second officer's approval only while fewer than two
    /// are active: so a lone officer can restore the rule, and nobody adds a third of his own. Says why when the seat is
    /// governed; null when an invitation may make an officer here.
    /// </summary>
    private static async Task<string?> GovernedOfficerSeatAsync(LockboxDbContext db, Guid tenantId, string? except, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
        if (!tenant.Policy.RequireSecondOfficer)
        {
            return null;
        }

        var officers = await RoleHolders.ActiveOfficerCountAsync(db, tenantId, except, cancellationToken);
        return officers < 2
            ? null
            : $"{tenant.Name}'s two-person rule is on and it has {officers} active security officers, so a new one is appointed only with a second officer's approval.";
    }

    /// <summary>An officer invitation (perhaps sent before the rule was turned on) is not a way around the rule.</summary>
    private static async Task EnsureOfficerSeatOpenAsync(LockboxDbContext db, Invitation invitation, string? personId, CancellationToken cancellationToken)
    {
        if (invitation is { Role: PortalRole.SecurityOfficer, TenantId: { } tenantId } && await GovernedOfficerSeatAsync(db, tenantId, personId, cancellationToken) is { } governed)
        {
            throw new InvitationNotUsableException(null, governed + " This invitation cannot make you one: ask the officers to appoint you on the People page.");
        }
    }

    public const int DisplayNameMaxLength = 200;
    public const string DisplayNameRule = "Enter a name of 1 to 200 printable characters (no invisible or direction-changing ones such as U+202E or U+200B).";

    public static string? CleanDisplayName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length is > 0 and <= DisplayNameMaxLength && TextRules.FirstHiddenCharacter(trimmed) is null ? trimmed : null;
    }

    private static async Task<Invitation> FindAsync(LockboxDbContext db, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            throw new InvitationNotUsableException(null);
        }

        var hash = SecretToken.Hash(token);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        return invitation is not null && SecretToken.Matches(invitation.TokenHash, token) ? invitation : throw new InvitationNotUsableException(null);
    }

    private sealed class WrongPasswordException(string userId) : Exception
    {
        public string UserId { get; } = userId;
    }

    private static AuditRecord Record(AuditEventType type, Actor actor, Invitation invitation, object details, ClientInfo? client) =>
        new(type, actor, invitation.TenantId, Subject, invitation.Id.ToString(), AuditRecord.Details(details), Client: client);
}
