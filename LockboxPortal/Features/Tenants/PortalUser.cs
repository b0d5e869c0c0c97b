using Microsoft.AspNetCore.Identity;

namespace LockboxPortal.Features.Tenants;

/// <summary>A person who signs in to the portal. Roles are not held here but per tenant, in <see cref="Membership"/>.</summary>
public sealed class PortalUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    public bool IsActive { get; set; } = true;

    public Actor ToActor() => new(Id, string.IsNullOrWhiteSpace(DisplayName) ? UserName ?? Id : DisplayName);
}
