using System.Security.Claims;
using LockboxPortal.Features.Tenants;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LockboxPortal.Tests.Tenants;

/// <summary>The administration services over the shared <see cref="ServiceHarness"/>, and a few shortcuts.</summary>
internal static class AdminHarness
{
    public const string StrongPassword = "correct-horse-battery-9";

    public static readonly ClaimsPrincipal ProviderAdmin = ServiceHarness.As(Cast.Admin);
    public static readonly ClaimsPrincipal NorthwindOfficer = ServiceHarness.As(Cast.NorthwindOfficer);

    public static TenantAdminService Tenants(this ServiceHarness harness) => harness.Services.GetRequiredService<TenantAdminService>();

    public static InvitationService Invitations(this ServiceHarness harness) => harness.Services.GetRequiredService<InvitationService>();

    public static PeopleService People(this ServiceHarness harness) => harness.Services.GetRequiredService<PeopleService>();

    public static ProfileService Profiles(this ServiceHarness harness) => harness.Services.GetRequiredService<ProfileService>();

    public static string TokenOf(CreatedInvitation invitation) => invitation.Link[(invitation.Link.IndexOf("token=", StringComparison.Ordinal) + 6)..];

    /// <summary>Invites and accepts; returns the new person's user id.</summary>
    public static async Task<string> InviteAndAcceptAsync(this ServiceHarness harness, ClaimsPrincipal inviter, string email, Guid? tenantId, PortalRole role)
    {
        var invitation = await harness.Invitations().InviteAsync(inviter, new InviteInput(email, email.Split('@')[0], tenantId, role));
        await harness.Invitations().AcceptAsync(new AcceptInput(TokenOf(invitation), null, StrongPassword, StrongPassword));
        await using var db = harness.NewContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }
}
