using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Tenants;

public sealed record SetupInput(string? Token, string? Email, string? DisplayName, string? Password, string? ConfirmPassword);

/// <summary>Where the first-start setup link is announced. The console by default; tests read it instead.</summary>
public interface IFirstStartNotice
{
    void SetupLinkIssued(string link, DateTimeOffset expiresAt);
}

public sealed class ConsoleFirstStartNotice : IFirstStartNotice
{
    public void SetupLinkIssued(string link, DateTimeOffset expiresAt) => Console.Out.WriteLine($"""

        LockboxPortal has no provider admin yet. Create the first one, once, at:

            {link}

        The link works until it is used or until {expiresAt:u}; restart the portal for a new one.

        """);
}

/// <summary>
/// First start outside Development: no demo data and no default password. At start-up, while no ProviderAdmin
/// exists, a random one-time token is issued (stored hashed, valid 24 hours) and announced; the setup page needs
/// it to create the first ProviderAdmin. Once one exists, setup is closed for good.
/// </summary>
public sealed class SetupService(
    LockboxTransactions transactions,
    IDbContextFactory<LockboxDbContext> dbFactory,
    AccountRules accounts,
    AuditWriter audit,
    TimeProvider time)
{
    public const string SetupPath = "/setup";

    /// <summary>Replaces any earlier token with a new one and returns it, or returns null when setup is closed.</summary>
    public Task<(string Token, DateTimeOffset ExpiresAt)?> IssueTokenIfNeededAsync(CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            db.SetupTokens.RemoveRange(await db.SetupTokens.ToListAsync(cancellationToken));
            if (await ProviderAdminExistsAsync(db, cancellationToken))
            {
                return ((string, DateTimeOffset)?)null;
            }

            var (token, hash) = SecretToken.Create();
            var row = new SetupToken(hash, time.GetUtcNow());
            db.SetupTokens.Add(row);
            return (token, row.ExpiresAt);
        }, cancellationToken);

    /// <summary>Whether this token opens the setup page now.</summary>
    public async Task<bool> IsOpenAsync(string? token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return !await ProviderAdminExistsAsync(db, cancellationToken) && await FindAsync(db, token, cancellationToken) is not null;
    }

    /// <summary>Creates the first ProviderAdmin and uses up the token. Returns the account's email.</summary>
    public Task<string> CompleteAsync(SetupInput input, CancellationToken cancellationToken = default) =>
        transactions.RunAsync(async db =>
        {
            var token = await FindAsync(db, input.Token, cancellationToken);
            if (token is null || await ProviderAdminExistsAsync(db, cancellationToken))
            {
                throw new SetupClosedException();
            }

            var errors = new Dictionary<string, string[]>();
            var email = accounts.CleanEmail(input.Email);
            var displayName = InvitationService.CleanDisplayName(input.DisplayName);
            if (email is null)
            {
                errors[nameof(SetupInput.Email)] = ["Enter a valid email address."];
            }

            if (displayName is null)
            {
                errors[nameof(SetupInput.DisplayName)] = [InvitationService.DisplayNameRule];
            }

            if (errors.Count > 0)
            {
                throw new InvalidInputException(errors);
            }

            var user = accounts.NewUser(email!, displayName!);
            await accounts.EnsureStrongAsync(user, input.Password);
            if (!string.Equals(input.Password, input.ConfirmPassword, StringComparison.Ordinal))
            {
                throw InvalidInputException.For(nameof(SetupInput.ConfirmPassword), "The two passwords differ.");
            }

            if (await db.Users.AnyAsync(u => u.NormalizedEmail == user.NormalizedEmail, cancellationToken))
            {
                throw InvalidInputException.For(nameof(SetupInput.Email), "An account with this email already exists.");
            }

            accounts.SetPassword(user, input.Password!);
            db.Users.Add(user);
            db.Memberships.Add(new Membership(user.Id, null, PortalRole.ProviderAdmin));

            // Deleting the row is what makes the token one-time: a second use at the same moment deletes nothing,
            // fails its save, and on retry finds no token.
            db.SetupTokens.Remove(token);
            var actor = user.ToActor();
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Setup_Completed, actor, null, "User", user.Id,
                AuditRecord.Details(new { user.Email })), cancellationToken);
            await audit.AppendAsync(db, new AuditRecord(AuditEventType.Membership_Granted, actor, null, "User", user.Id,
                AuditRecord.Details(new { Role = nameof(PortalRole.ProviderAdmin), Through = "setup" })), cancellationToken);
            return user.Email!;
        }, cancellationToken);

    private static Task<bool> ProviderAdminExistsAsync(LockboxDbContext db, CancellationToken cancellationToken) =>
        db.Memberships.AnyAsync(m => m.TenantId == null && m.Role == PortalRole.ProviderAdmin, cancellationToken);

    private async Task<SetupToken?> FindAsync(LockboxDbContext db, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return null;
        }

        var hash = SecretToken.Hash(token);
        var row = await db.SetupTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        return row is not null && SecretToken.Matches(row.TokenHash, token) && time.GetUtcNow() < row.ExpiresAt ? row : null;
    }
}

/// <summary>The setup link is missing, wrong, expired or used, or a provider admin already exists.</summary>
public sealed class SetupClosedException() : LockboxRuleException("Setup is not available: the link is not valid, has expired, or setup is already complete.")
{
    public override string Code => "setup-closed";
}
