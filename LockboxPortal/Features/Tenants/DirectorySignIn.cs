using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>The provider's own Entra directory (setting <c>AzureAd:ProviderTenantId</c>); its people are provider staff.</summary>
public sealed record ProviderDirectory(Guid? Id);

/// <summary>What a validated token from an Entra directory says about the person signing in.</summary>
/// <param name="DirectoryId">The token's <c>tid</c>.</param>
/// <param name="ObjectId">The token's <c>oid</c>: the person in that directory, stable across renames and new emails.</param>
/// <param name="AppRoles">The token's <c>roles</c>: the app roles the directory assigns the person.</param>
public sealed record DirectoryIdentity(Guid DirectoryId, string ObjectId, string? DisplayName, string? Email, IReadOnlyCollection<string> AppRoles);

public enum DirectorySignInOutcome
{
    SignedIn,

    /// <summary>No tenant is mapped to the directory, and it is not the provider's.</summary>
    UnknownDirectory,

    TenantInactive,
    AccountInactive,

    /// <summary>A first sign-in whose email another account already has: the two are never joined by email alone.</summary>
    EmailTaken,

    /// <summary>A first sign-in whose token names no usable email.</summary>
    NoEmail,
}

public sealed record DirectorySignInResult(DirectorySignInOutcome Outcome, PortalUser? User = null);

/// <summary>
/// Maps a sign-in through an Entra directory onto the portal: the directory picks the tenant (or the provider), the
/// person is found by <c>oid</c> and <c>tid</c> (an Identity external login, never by email), a first sign-in creates
/// them, and the app roles in the token become their memberships there, granted when present and removed when
/// absent, each change audited. Approver lists are not touched except that someone who is no longer a TenantAdmin
/// leaves them: being on a list stays the security officer's decision.
/// </summary>
public sealed class DirectorySignIn(
    LockboxTransactions transactions, AuditWriter audit, AccountRules accounts, ProviderDirectory providerDirectory, DirectoryNotifier directory, TimeProvider time)
{
    public const string LoginProvider = "Entra";
    public const string LoginDisplayName = "Microsoft Entra ID";
    public const string AppRolePrefix = "Lockbox.";
    private const string Through = "entra";

    /// <summary>The Identity login key: a person is the pair (directory, object id).</summary>
    public static string LoginKey(Guid directoryId, string objectId) => $"{directoryId:D}/{objectId}";

    /// <summary>The portal roles a directory may hand out: tenant roles in a customer's directory, provider roles in the provider's.</summary>
    public static IReadOnlySet<PortalRole> RolesFrom(IEnumerable<string> appRoles, bool providerDirectory) =>
        appRoles
            .Where(r => r.StartsWith(AppRolePrefix, StringComparison.Ordinal))
            .Select(r => Enum.TryParse<PortalRole>(r[AppRolePrefix.Length..], ignoreCase: false, out var role) && Enum.IsDefined(role) ? role : (PortalRole?)null)
            .OfType<PortalRole>()
            .Where(role => providerDirectory ? role.IsProviderRole() : role.IsTenantRole())
            .ToHashSet();

    /// <summary>Signs the person in; when their roles changed, publishes a <see cref="DirectoryChange"/> after the commit.</summary>
    public async Task<DirectorySignInResult> SignInAsync(DirectoryIdentity identity, ClientInfo? client, CancellationToken cancellationToken = default)
    {
        var (result, rolesChanged) = await SignInOnceAsync(identity, client, cancellationToken);
        if (rolesChanged && result.User is { } person)
        {
            // Open hub connections re-read their audience, and every node's access check reads the person's standing again.
            await directory.PublishAsync(new DirectoryChange(person.Id, time.GetUtcNow()));
        }

        return result;
    }

    private Task<(DirectorySignInResult Result, bool RolesChanged)> SignInOnceAsync(DirectoryIdentity identity, ClientInfo? client, CancellationToken cancellationToken) =>
        transactions.RunAsync<(DirectorySignInResult, bool)>(async db =>
        {
            var details = new { Directory = identity.DirectoryId, identity.ObjectId, identity.Email };
            var isProvider = providerDirectory.Id is { } provider && provider == identity.DirectoryId;
            Guid? scope = null;
            if (!isProvider)
            {
                var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.EntraTenantId == identity.DirectoryId, cancellationToken);
                if (tenant is null)
                {
                    await audit.AppendAsync(db, Attempt(AuditEventType.EntraSignIn_UnknownDirectory, identity, null, details, client), cancellationToken);
                    return (new DirectorySignInResult(DirectorySignInOutcome.UnknownDirectory), false);
                }

                if (!tenant.IsActive)
                {
                    return await RefuseAsync(db, identity, tenant.Id, DirectorySignInOutcome.TenantInactive, client, cancellationToken);
                }

                scope = tenant.Id;
            }

            var key = LoginKey(identity.DirectoryId, identity.ObjectId);
            var login = await db.UserLogins.SingleOrDefaultAsync(l => l.LoginProvider == LoginProvider && l.ProviderKey == key, cancellationToken);
            PortalUser person;
            if (login is null)
            {
                var email = accounts.CleanEmail(identity.Email);
                if (email is null)
                {
                    return await RefuseAsync(db, identity, scope, DirectorySignInOutcome.NoEmail, client, cancellationToken);
                }

                if (await db.Users.AnyAsync(u => u.NormalizedEmail == accounts.NormalizeEmail(email), cancellationToken))
                {
                    return await RefuseAsync(db, identity, scope, DirectorySignInOutcome.EmailTaken, client, cancellationToken);
                }

                person = accounts.NewUser(email, InvitationService.CleanDisplayName(identity.DisplayName) ?? email);
                db.Users.Add(person);
                db.UserLogins.Add(new IdentityUserLogin<string> { LoginProvider = LoginProvider, ProviderKey = key, ProviderDisplayName = LoginDisplayName, UserId = person.Id });
                await audit.AppendAsync(db, new AuditRecord(AuditEventType.EntraPerson_Created, person.ToActor(), scope, AdministrationResource.PersonSubject, person.Id,
                    AuditRecord.Details(details), Client: client), cancellationToken);
            }
            else
            {
                person = await db.Users.SingleAsync(u => u.Id == login.UserId, cancellationToken);
                if (!person.IsActive)
                {
                    return await RefuseAsync(db, identity, scope, DirectorySignInOutcome.AccountInactive, client, cancellationToken);
                }
            }

            var rolesChanged = await FollowDirectoryAsync(db, person, scope, RolesFrom(identity.AppRoles, isProvider), client, cancellationToken);
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.EntraSignIn_Succeeded, person.ToActor(), scope, AdministrationResource.PersonSubject, person.Id,
                AuditRecord.Details(details), Client: client), cancellationToken);
            return (new DirectorySignInResult(DirectorySignInOutcome.SignedIn, person), rolesChanged);
        }, cancellationToken);

    /// <summary>The person's roles where the directory speaks (that tenant, or the provider) become what the token says; true when any changed.</summary>
    private async Task<bool> FollowDirectoryAsync(
        LockboxDbContext db, PortalUser person, Guid? scope, IReadOnlySet<PortalRole> wanted, ClientInfo? client, CancellationToken cancellationToken)
    {
        var held = await db.Memberships.Where(m => m.UserId == person.Id && m.TenantId == scope).ToListAsync(cancellationToken);
        var actor = person.ToActor();
        var granted = wanted.Where(role => held.All(m => m.Role != role)).Order().ToList();
        foreach (var role in granted)
        {
            db.Memberships.Add(new Membership(person.Id, scope, role));
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Membership_Granted, actor, scope, AdministrationResource.PersonSubject, person.Id,
                AuditRecord.Details(new { Role = role.ToString(), Through }), Client: client), cancellationToken);
        }

        if (granted.Count > 0)
        {
            AccountRules.ChangeSecurityStamp(person);
        }

        var removed = held.Where(m => !wanted.Contains(m.Role)).ToList();
        if (removed.Count > 0)
        {
            await MembershipChanges.RemoveAsync(db, audit, actor, client, person, scope, removed, Through, cancellationToken);
        }

        return granted.Count > 0 || removed.Count > 0;
    }

    private async Task<(DirectorySignInResult, bool)> RefuseAsync(
        LockboxDbContext db, DirectoryIdentity identity, Guid? chain, DirectorySignInOutcome outcome, ClientInfo? client, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(db, Attempt(AuditEventType.EntraSignIn_Refused, identity, chain,
            new { Directory = identity.DirectoryId, identity.ObjectId, identity.Email, Reason = outcome.ToString() }, client), cancellationToken);
        return (new DirectorySignInResult(outcome), false);
    }

    private static AuditRecord Attempt(AuditEventType type, DirectoryIdentity identity, Guid? chain, object details, ClientInfo? client) =>
        new(type, new Actor("", identity.Email ?? identity.ObjectId), chain, AdministrationResource.PersonSubject, LoginKey(identity.DirectoryId, identity.ObjectId),
            AuditRecord.Details(details), Client: client);
}
