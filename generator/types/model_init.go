package types

// Model.__init__'s first parameter.
//
// mlx-lm builds every model as Model(ModelArgs.from_dict(config))
// (utils.load_model), whatever the file calls the parameter: most say
// `args: ModelArgs`, recurrent_gemma says `config` with no annotation. The
// registry passes the file's ModelArgs there, so an unannotated first
// parameter of Model.__init__ is one.

// modelInitArgs types Model.__init__'s unannotated first parameter.
func modelInitArgs(u *Unit, c *Class, f *Func) {
	if c.Name != "Model" || f.Def.Name != "__init__" || len(f.Params) == 0 || u.Args == nil {
		return
	}
	if p := f.Params[0]; !p.Annotated && p.Type.Kind == Unknown {
		p.Type = ClassT(u.Args.Name)
	}
}
