using System.Security.Claims;
using LockboxPortal.Authorization;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

public sealed record ProfileView(string Email, string DisplayName);

/// <summary>Each person's own name and password.</summary>
public sealed class ProfileService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    AccountRules accounts,
    AuditWriter audit)
{
    private const string Subject = "User";

    public async Task<ProfileView> GetAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        var email = await db.Users.Where(u => u.Id == user.UserId).Select(u => u.Email).SingleAsync(cancellationToken);
        return new ProfileView(email ?? "", user.Actor.DisplayName);
    }

    public Task ChangeDisplayNameAsync(ClaimsPrincipal principal, string? displayName, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var (user, person) = await LoadAsync(db, principal, cancellationToken);
            var name = InvitationService.CleanDisplayName(displayName)
                ?? throw InvalidInputException.For("DisplayName", InvitationService.DisplayNameRule);
            var previous = person.DisplayName;
            person.DisplayName = name;
            await AppendAsync(db, AuditEventType.User_ProfileChanged, user, new { Previous = previous, DisplayName = name }, cancellationToken);
        }, cancellationToken);

    /// <summary>Changes the password and the security stamp: every other session ends within a minute.</summary>
    public Task ChangePasswordAsync(ClaimsPrincipal principal, string? currentPassword, string? newPassword, string? confirmPassword, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var (user, person) = await LoadAsync(db, principal, cancellationToken);
            if (!accounts.VerifyPassword(person, currentPassword))
            {
                throw InvalidInputException.For("CurrentPassword", "Your current password is not right.");
            }

            await accounts.EnsureStrongAsync(person, newPassword, "NewPassword");
            if (!string.Equals(newPassword, confirmPassword, StringComparison.Ordinal))
            {
                throw InvalidInputException.For("ConfirmPassword", "The two passwords differ.");
            }

            accounts.SetPassword(person, newPassword!);
            await AppendAsync(db, AuditEventType.User_PasswordChanged, user, new { }, cancellationToken);
        }, cancellationToken);

    private static async Task<(ActingUser User, PortalUser Person)> LoadAsync(LockboxDbContext db, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var user = await ActingUser.LoadAsync(db, principal, cancellationToken);
        return (user, await db.Users.SingleAsync(u => u.Id == user.UserId, cancellationToken));
    }

    /// <summary>In the chain of every organisation the person belongs to, as sign-ins are.</summary>
    private async Task AppendAsync(LockboxDbContext db, AuditEventType type, ActingUser user, object details, CancellationToken cancellationToken)
    {
        IEnumerable<Guid?> chains = user.Memberships.IsProviderStaff ? [null, .. user.Memberships.Tenants.Cast<Guid?>()] : user.Memberships.Tenants.Cast<Guid?>();
        foreach (var chain in chains.DefaultIfEmpty(null))
        {
            await audit.AppendAsync(db, new AuditRecord(type, user.Actor, chain, Subject, user.UserId, AuditRecord.Details(details), Client: user.Client), cancellationToken);
        }
    }
}
