using System.Linq.Expressions;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Tenants;

namespace LockboxPortal.Authorization;

/// <summary>The facts about a person that decide which requests they may see, read from their roles as storage holds them now.</summary>
public sealed record RequestViewer(string UserId, bool IsEngineer, bool IsManager, Guid[] TenantAdminOf, Guid[] OfficerOf)
{
    public static RequestViewer Of(ActingUser user) => new(
        user.UserId,
        user.Memberships.HasProviderRole(PortalRole.Engineer),
        user.Memberships.HasProviderRole(PortalRole.EngineeringManager),
        [.. user.Memberships.TenantsWithRole(PortalRole.TenantAdmin)],
        [.. user.Memberships.TenantsWithRole(PortalRole.SecurityOfficer)]);
}

/// <summary>
/// Who may see a request (DESIGN.md "People and roles"): an engineer their own, a manager all, a tenant's admins and
/// officers that tenant's. Written once, over the two facts of a request that decide it (requester and tenant), so the
/// handler's View, the list queries (as SQL) and the live audiences (on an event) give the same answer.
/// </summary>
public static class RequestVisibility
{
    public static readonly Expression<Func<RequestViewer, string, Guid, bool>> Rule = (viewer, requesterId, tenantId) =>
        (viewer.IsEngineer && viewer.UserId == requesterId)
        || viewer.IsManager
        || viewer.TenantAdminOf.Contains(tenantId)
        || viewer.OfficerOf.Contains(tenantId);

    private static readonly Func<RequestViewer, string, Guid, bool> Compiled = Rule.Compile();

    public static bool Sees(RequestViewer viewer, string requesterId, Guid tenantId) => Compiled(viewer, requesterId, tenantId);

    /// <summary>The same rule as a query filter, for the database to apply.</summary>
    public static Expression<Func<AccessRequest, bool>> VisibleTo(RequestViewer viewer)
    {
        var request = Expression.Parameter(typeof(AccessRequest), "r");
        var body = new Substitution(new Dictionary<ParameterExpression, Expression>
        {
            [Rule.Parameters[0]] = Expression.Constant(viewer),
            [Rule.Parameters[1]] = Expression.Property(request, nameof(AccessRequest.RequesterId)),
            [Rule.Parameters[2]] = Expression.Property(request, nameof(AccessRequest.TenantId)),
        }).Visit(Rule.Body);
        return Expression.Lambda<Func<AccessRequest, bool>>(body, request);
    }

    private sealed class Substitution(Dictionary<ParameterExpression, Expression> replacements) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            replacements.TryGetValue(node, out var replacement) ? replacement : node;
    }
}
