package mlx

// Methods mirroring mx.array's methods, so that x.reshape(...).astype(...)
// in Python reads x.Reshape(...).Astype(...) in Go. Each is the package
// function of the same name.

func (a *Array) Reshape(shape ...int) *Array            { return Reshape(a, shape...) }
func (a *Array) Astype(dtype Dtype) *Array              { return Astype(a, dtype) }
func (a *Array) Transpose(axes ...int) *Array           { return Transpose(a, axes...) }
func (a *Array) T() *Array                              { return Transpose(a) }
func (a *Array) Swapaxes(axis1, axis2 int) *Array       { return Swapaxes(a, axis1, axis2) }
func (a *Array) Moveaxis(source, dest int) *Array       { return Moveaxis(a, source, dest) }
func (a *Array) Flatten(startAxis, endAxis int) *Array  { return Flatten(a, startAxis, endAxis) }
func (a *Array) Squeeze(axes ...int) *Array             { return Squeeze(a, axes...) }
func (a *Array) Sum(keepdims bool, axes ...int) *Array  { return Sum(a, keepdims, axes...) }
func (a *Array) Mean(keepdims bool, axes ...int) *Array { return Mean(a, keepdims, axes...) }
func (a *Array) Max(keepdims bool, axes ...int) *Array  { return Max(a, keepdims, axes...) }
func (a *Array) Min(keepdims bool, axes ...int) *Array  { return Min(a, keepdims, axes...) }
func (a *Array) Square() *Array                         { return Square(a) }
func (a *Array) Round(decimals int) *Array              { return Round(a, decimals) }
func (a *Array) View(dtype Dtype) *Array                { return View(a, dtype) }
func (a *Array) Split(num, axis int) ([]*Array, error)  { return Split(a, num, axis) }
