using System.ComponentModel.DataAnnotations;
using LockboxPortal.Features.AccessRequests;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

/// <summary>
/// Identity's own rules (password validators, hasher, normalizer, lockout defaults) applied to accounts that the
/// administration services create and change inside their one transaction, instead of through
/// <see cref="UserManager{TUser}"/>'s separate saves.
/// </summary>
public sealed class AccountRules(UserManager<PortalUser> users, TimeProvider time)
{
    public const int EmailMaxLength = 256;
    public const string PasswordField = "Password";

    /// <summary>The trimmed email, or null when it is not an address Identity would accept as a user name.</summary>
    public string? CleanEmail(string? email)
    {
        var trimmed = email?.Trim() ?? "";
        var allowed = users.Options.User.AllowedUserNameCharacters;
        return trimmed.Length is > 0 and <= EmailMaxLength
            && new EmailAddressAttribute().IsValid(trimmed)
            && (string.IsNullOrEmpty(allowed) || trimmed.All(allowed.Contains))
            ? trimmed
            : null;
    }

    public string NormalizeEmail(string email) => users.NormalizeEmail(email)!;

    /// <summary>Throws a validation error naming every rule the password breaks (Identity's validators: 12+ characters, ...).</summary>
    public async Task EnsureStrongAsync(PortalUser user, string? password, string field = PasswordField)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw InvalidInputException.For(field, "Choose a password.");
        }

        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            problems.AddRange(result.Errors.Select(e => e.Description));
        }

        if (problems.Count > 0)
        {
            throw new InvalidInputException(new Dictionary<string, string[]> { [field] = [.. problems] });
        }
    }

    /// <summary>A new, active account whose user name is its email. Lockout applies, as for every account.</summary>
    public PortalUser NewUser(string email, string displayName) => new()
    {
        UserName = email,
        NormalizedUserName = users.NormalizeName(email),
        Email = email,
        NormalizedEmail = NormalizeEmail(email),
        EmailConfirmed = true,
        DisplayName = displayName,
        LockoutEnabled = users.Options.Lockout.AllowedForNewUsers,
    };

    /// <summary>Sets the password and a new security stamp, which signs the person out everywhere else.</summary>
    public void SetPassword(PortalUser user, string password)
    {
        user.PasswordHash = users.PasswordHasher.HashPassword(user, password);
        ChangeSecurityStamp(user);
    }

    public bool VerifyPassword(PortalUser user, string? password) =>
        !string.IsNullOrEmpty(password) && user.PasswordHash is not null
        && users.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>Counts a wrong password toward lockout, as a failed sign-in does.</summary>
    public Task RecordFailedPasswordAsync(Data.LockboxTransactions transactions, string userId, CancellationToken cancellationToken) =>
        transactions.RunAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Id == userId, cancellationToken);
            if (!user.LockoutEnabled)
            {
                return;
            }

            user.AccessFailedCount++;
            if (user.AccessFailedCount >= users.Options.Lockout.MaxFailedAccessAttempts)
            {
                user.LockoutEnd = time.GetUtcNow() + users.Options.Lockout.DefaultLockoutTimeSpan;
                user.AccessFailedCount = 0;
            }
        }, cancellationToken);

    /// <summary>Every cookie and open page carrying the old stamp stops working at its next validation (one minute).</summary>
    public static void ChangeSecurityStamp(PortalUser user)
    {
        user.SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant();
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
    }
}
