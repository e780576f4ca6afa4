        List${r.plural_class}:
          Type: HttpApi
          Properties: { Path: /${r.table}, Method: GET{% if cookiecutter.api_auth == "jwt" %}, Auth: { Authorizer: NONE }{% endif %} }
        Create${r.class_name}:
          Type: HttpApi
          Properties: { Path: /${r.table}, Method: POST }
        Show${r.class_name}:
          Type: HttpApi
          Properties: { Path: "/${r.table}/{${r.id_name}}", Method: GET{% if cookiecutter.api_auth == "jwt" %}, Auth: { Authorizer: NONE }{% endif %} }
        Replace${r.class_name}:
          Type: HttpApi
          Properties: { Path: "/${r.table}/{${r.id_name}}", Method: PUT }
        Delete${r.class_name}:
          Type: HttpApi
          Properties: { Path: "/${r.table}/{${r.id_name}}", Method: DELETE }
