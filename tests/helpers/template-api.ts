/**
 * The REST API of a packaged CloudFormation template, read the way API Gateway reads it: each
 * method's full path (its resource's PathPart after its parents'), the function its integration
 * invokes, and the authorizer in front of it.
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** One method of the API (CORS preflights aside). */
export interface TemplateMethod {
  /** `post /orders/{id}/pay`. */
  readonly route: string;
  /** The logical id of the function its integration invokes. */
  readonly functionId: string;
  /** The authorizer's name, when one guards it. */
  readonly authorizer?: string;
  /** The logical id of the authorizer's function. */
  readonly authorizerFunctionId?: string;
}

/** The function a `…/functions/${Fn::GetAtt …Arn}/invocations` URI names, by its logical id. */
export function functionOfUri(uri: unknown): string {
  const parts = (uri as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const arn = parts.find(
    (part): part is { 'Fn::GetAtt': [string, string] } => typeof part === 'object' && part !== null && 'Fn::GetAtt' in part,
  );
  if (!arn) throw new Error(`no function in ${JSON.stringify(uri)}`);
  return arn['Fn::GetAtt'][0];
}

/** An API Gateway resource's path; API Gateway's own root (no Ref) is `/`. */
export function resourcePath(resources: Record<string, TemplateResource>, resourceId: { Ref?: string }): string {
  if (!resourceId.Ref) return '/';
  const resource = resources[resourceId.Ref]?.Properties as { PathPart: string; ParentId: { Ref?: string } } | undefined;
  if (!resource) throw new Error(`no API resource ${resourceId.Ref}`);
  const parent = resourcePath(resources, resource.ParentId);
  return `${parent === '/' ? '' : parent}/${resource.PathPart}`;
}

/** Every method of the template's API but the CORS preflights. */
export function templateMethods(resources: Record<string, TemplateResource>): TemplateMethod[] {
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method' && resource.Properties.HttpMethod !== 'OPTIONS')
    .map((method) => {
      const props = method.Properties as {
        HttpMethod: string;
        AuthorizerId?: { Ref: string };
        ResourceId: { Ref?: string };
        Integration: { Uri: unknown };
      };
      const authorizer = props.AuthorizerId === undefined ? undefined : resources[props.AuthorizerId.Ref]?.Properties;
      return {
        route: `${props.HttpMethod.toLowerCase()} ${resourcePath(resources, props.ResourceId)}`,
        functionId: functionOfUri(props.Integration.Uri),
        ...(authorizer === undefined
          ? {}
          : { authorizer: authorizer.Name as string, authorizerFunctionId: functionOfUri(authorizer.AuthorizerUri) }),
      };
    });
}
